import IMAP

/// Splits an address header (`From`, `To`…) into ENVELOPE addresses the way Dovecot's
/// `message-address` parser does (RFC 5322 §3.4 with the obsolete forms of §4.4): groups
/// become a start marker (group name as mailbox, NIL host) and an end marker; a missing
/// local part or domain is filled with `MISSING_MAILBOX` / `MISSING_DOMAIN`, a broken
/// angle address gets domain `SYNTAX_ERROR`, so clients always see four fields.
struct AddressListParser {
    private var scanner: HeaderValueScanner
    private var addresses: [EnvelopeAddress] = []
    private var pending = Pending()
    private var namesAsWritten = false
    /// Addresses past this many are dropped: a header of a million commas must not cost a
    /// million list entries in every FETCH ENVELOPE.
    static let maxAddresses = 10_000

    private struct Pending {
        var name: [UInt8]?
        var route: [UInt8]?
        var mailbox: [UInt8]?
        var domain: [UInt8]?
        var invalid = false
    }
    /// The last local part read (with what followed it when it was broken).
    private var text: [UInt8] = []

    private typealias Outcome = HeaderValueScanner.Outcome

    /// The addresses of a raw header value (folding kept).
    ///
    /// - Parameter namesAsWritten: display names as the parser read them (SEARCH and SORT
    ///   match and order on these, as Dovecot does), instead of with white space collapsed for
    ///   ENVELOPE.
    static func parse(_ value: [UInt8], namesAsWritten: Bool = false) -> [EnvelopeAddress] {
        var parser = AddressListParser(scanner: HeaderValueScanner(
            value, recordingComments: true, nulReplacement: HeaderValueScanner.replacementCharacter))
        parser.namesAsWritten = namesAsWritten
        guard parser.scanner.skipWhitespace() == .more else { return [] }
        parser.parseAddressList()
        return parser.addresses
    }

    private mutating func emit() {
        addresses.append(EnvelopeAddress(
            name: namesAsWritten ? pending.name : pending.name.map(HeaderValue.forHumans), route: pending.route.map(HeaderValue.withoutLineBreaks),
            mailbox: pending.mailbox.map(HeaderValue.withoutLineBreaks), host: pending.domain.map(HeaderValue.withoutLineBreaks)))
        pending = Pending()
    }

    private mutating func emitFilled() {
        if pending.mailbox == nil { pending.mailbox = Array("MISSING_MAILBOX".utf8) }
        if pending.domain?.isEmpty ?? true { pending.domain = Array("MISSING_DOMAIN".utf8) }
        emit()
    }

    /// `address-list = address *("," address)`
    private mutating func parseAddressList() {
        while addresses.count < Self.maxAddresses {
            if parseAddress() == .end { return }
            guard scanner.current == UInt8(ascii: ",") else { return }
            scanner.position += 1
            let outcome = scanner.skipWhitespace()
            if outcome == .broken {
                // The list ends in garbage: Dovecot still reports an (empty) address.
                emitFilled()
            }
            if outcome != .more { return }
        }
    }

    /// `address = mailbox / group`
    private mutating func parseAddress() -> Outcome {
        let start = scanner.position
        if let outcome = parseGroup() { return outcome }
        scanner.position = start
        pending = Pending()
        return parseMailbox()
    }

    /// `group = display-name ":" [mailbox-list / CFWS] ";" [CFWS]`; nil when not a group.
    private mutating func parseGroup() -> Outcome? {
        var name: [UInt8] = []
        guard scanner.parsePhrase(into: &name) == .more, scanner.current == UInt8(ascii: ":") else { return nil }
        // From here on this is a group, however broken.
        scanner.position += 1
        var outcome = scanner.skipWhitespace()
        pending.mailbox = name
        emit()
        if outcome == .more && scanner.current != UInt8(ascii: ";") {
            while addresses.count < Self.maxAddresses {
                // A broken member does not end the group.
                _ = parseMailbox()
                guard scanner.current == UInt8(ascii: ",") else { break }
                scanner.position += 1
                if scanner.skipWhitespace() != .more {
                    outcome = .broken
                    break
                }
            }
        }
        if outcome != .broken {
            if scanner.current != UInt8(ascii: ";") {
                outcome = .broken
            } else {
                scanner.position += 1
                outcome = scanner.skipWhitespace()
            }
        }
        emit()
        return outcome == .end ? .end : .more
    }

    /// `mailbox = name-addr / addr-spec`
    private mutating func parseMailbox() -> Outcome {
        let start = scanner.position
        var outcome = parseNameAddress()
        if outcome == .broken {
            scanner.position = start
            pending = Pending()
            outcome = parseAddressSpec()
            // A lone quoted word is a display name, not a mailbox.
            if pending.invalid && pending.name == nil && pending.mailbox != nil && pending.domain == nil {
                (pending.name, pending.mailbox) = (pending.mailbox, nil)
            }
        }
        emitFilled()
        return outcome
    }

    /// `name-addr = [display-name] angle-addr`
    private mutating func parseNameAddress() -> Outcome {
        var name: [UInt8] = []
        guard scanner.parsePhrase(into: &name) == .more, scanner.current == UInt8(ascii: "<") else { return .broken }
        pending.name = name.isEmpty ? nil : name
        if parseAngleAddress() == .broken {
            pending.domain = Array("SYNTAX_ERROR".utf8)
            pending.invalid = true
        }
        return scanner.atEnd ? .end : .more
    }

    /// `"<" ["@" route ":"] local-part ["@" domain] ">"`; `<>` leaves the address empty.
    private mutating func parseAngleAddress() -> Outcome {
        scanner.position += 1
        guard scanner.skipWhitespace() == .more else { return .broken }
        if scanner.current == UInt8(ascii: "@") {
            if parseRoute() == .more && scanner.current == UInt8(ascii: ":") {
                scanner.position += 1
            } else {
                pending.route = Array("INVALID_ROUTE".utf8)
                if scanner.atEnd { return .broken }
            }
            guard scanner.skipWhitespace() == .more else { return .broken }
        }
        if scanner.current != UInt8(ascii: ">") {
            guard parseLocalPart() == .more else { return .broken }
            if scanner.current == UInt8(ascii: "@") {
                guard parseDomain() == .more else { return .broken }
            }
        }
        guard scanner.current == UInt8(ascii: ">") else { return .broken }
        scanner.position += 1
        return scanner.skipWhitespace()
    }

    /// `obs-domain-list = "@" domain *(*(CFWS / ",") [CFWS] "@" domain)`
    private mutating func parseRoute() -> Outcome {
        var route: [UInt8] = []
        while let byte = scanner.current, byte == UInt8(ascii: "@") {
            if !route.isEmpty { route.append(UInt8(ascii: ",")) }
            route.append(UInt8(ascii: "@"))
            let outcome = scanner.parseDomain(into: &route)
            guard outcome == .more else { return outcome }
            while scanner.skipWhitespace() == .more && scanner.current == UInt8(ascii: ",") { scanner.position += 1 }
        }
        if scanner.atEnd { return .end }
        pending.route = route
        return .more
    }

    /// `local-part`, leniently: dots may lead, repeat or trail (`a..b`, `a.`), as the
    /// envelope parser of Dovecot accepts. `text` keeps what was read, even when broken.
    private mutating func parseLocalPart() -> Outcome {
        text = []
        var outcome: Outcome
        if scanner.current == UInt8(ascii: "\"") {
            outcome = scanner.parseQuotedString(into: &text)
        } else {
            outcome = .broken
            repeat {
                while scanner.current == UInt8(ascii: ".") {
                    text.append(UInt8(ascii: "."))
                    scanner.position += 1
                    if scanner.atEnd {
                        pending.mailbox = text
                        return .end
                    }
                    outcome = .more
                }
                if scanner.current == UInt8(ascii: "@") { break }
                outcome = scanner.parseAtom(into: &text)
            } while outcome == .more && scanner.current == UInt8(ascii: ".")
        }
        if outcome != .broken { pending.mailbox = text }
        return outcome
    }

    private mutating func parseDomain() -> Outcome {
        var domain: [UInt8] = []
        let outcome = scanner.parseDomain(into: &domain)
        if outcome != .broken { pending.domain = domain }
        return outcome
    }

    /// `addr-spec = local-part "@" domain`; a trailing comment is the display name, and
    /// words after a bare local part make the whole a display name.
    private mutating func parseAddressSpec() -> Outcome {
        scanner.lastComment = []
        let quoted = scanner.current == UInt8(ascii: "\"")
        var outcome = parseLocalPart()
        if outcome != .more { pending.invalid = true }
        var triedDomain = false
        if outcome != .end && scanner.current == UInt8(ascii: "@") {
            triedDomain = true
            let domainOutcome = parseDomain()
            if domainOutcome != .more { outcome = domainOutcome }
        }
        if let comment = scanner.lastComment, !comment.isEmpty {
            pending.name = comment
        } else if !triedDomain {
            text.append(UInt8(ascii: " "))
            let length = text.count
            _ = scanner.parsePhrase(into: &text)
            if text.count != length {
                pending.mailbox = nil
                pending.name = text
            } else if !quoted {
                pending.domain = []
            }
            pending.invalid = true
            outcome = .broken
        }
        return outcome
    }
}
