import MIME

/// A lenient RFC 5322 §3.4 address-list parser in the spirit of Dovecot's
/// `message_address_parse`: groups, route addresses, quoted strings, nested comments and
/// obsolete forms are read; nothing is rejected. A bare address's trailing comment becomes
/// its display name (`a@b (Real Name)`), as Dovecot does.
struct SearchAddressParser {
    private enum Token: Equatable {
        /// An atom, a dot-atom piece or a quoted string's content.
        case word(String)
        case comment(String)
        /// `[…]` kept with its brackets.
        case domainLiteral(String)
        case special(UInt8)
        /// A quoted string without its closing quote: the mailbox cannot be read.
        case unterminatedQuote
    }

    private let tokens: [Token]
    /// Whether white space came before each token: display names keep `J. Smith` apart
    /// from `J.Smith` and encoded-words with dots in them whole.
    private let spaceBefore: [Bool]
    private var position = 0

    /// Parses an unfolded header value (`HeaderField.unfoldedUTF8`).
    static func parse(_ value: String) -> [AddressListItem] {
        let (tokens, spaceBefore) = Self.tokenize(Array(value.utf8))
        var parser = SearchAddressParser(tokens: tokens, spaceBefore: spaceBefore)
        return parser.addressList()
    }

    private init(tokens: [Token], spaceBefore: [Bool]) {
        self.tokens = tokens
        self.spaceBefore = spaceBefore
    }

    private mutating func addressList() -> [AddressListItem] {
        var items: [AddressListItem] = []
        while position < tokens.count {
            if tokens[position] == .special(UInt8(ascii: ",")) || tokens[position] == .special(UInt8(ascii: ";")) {
                position += 1
                continue
            }
            let start = position
            let phrase = collectPhrase()
            if position < tokens.count, tokens[position] == .special(UInt8(ascii: ":")) {
                position += 1
                var members: [MailboxAddress] = []
                while position < tokens.count, tokens[position] != .special(UInt8(ascii: ";")) {
                    if tokens[position] == .special(UInt8(ascii: ",")) {
                        position += 1
                        continue
                    }
                    let memberPhrase = collectPhrase()
                    if let member = mailbox(phrase: memberPhrase) { members.append(member) }
                }
                if position < tokens.count { position += 1 }  // ";"
                items.append(.group(name: RFC2047.decode(text(ofPhrase: phrase)), members: members))
            } else if let mailbox = mailbox(phrase: phrase) {
                items.append(.mailbox(mailbox))
            }
            if position == start { position += 1 }  // a stray special: never loop on it
        }
        return items
    }

    /// The tokens up to the next `<`, `:`, `,`, `;` (or the end), which is left in place.
    private mutating func collectPhrase() -> Range<Int> {
        let start = position
        while position < tokens.count {
            if case .special(let byte) = tokens[position], Self.phraseEnds.contains(byte) { break }
            position += 1
        }
        return start..<position
    }

    private static let phraseEnds: Set<UInt8> = Set("<:,;".utf8)

    /// A mailbox from `phrase` (already read) and, when one follows, its `<angle-addr>`.
    private mutating func mailbox(phrase range: Range<Int>) -> MailboxAddress? {
        let phrase = Array(tokens[range])
        if position < tokens.count, tokens[position] == .special(UInt8(ascii: "<")) {
            position += 1
            var inner: [Token] = []
            while position < tokens.count, tokens[position] != .special(UInt8(ascii: ">")) {
                inner.append(tokens[position])
                position += 1
            }
            if position < tokens.count { position += 1 }  // ">"
            // Obsolete route (`<@a,@b:local@domain>`): only the part after the last ':'
            // counts. A ':' without a leading '@' is kept (`<C:x@y>` is local part `C:x`), as
            // Dovecot keeps it.
            if inner.first == .special(UInt8(ascii: "@")), let colon = inner.lastIndex(of: .special(UInt8(ascii: ":"))) {
                inner.removeSubrange(...colon)
            }
            // Trailing comments after `>` stay unread, like the comments inside it.
            while position < tokens.count, case .comment = tokens[position] { position += 1 }
            return Self.addrSpec(inner).named(text(ofPhrase: range))
        }
        guard phrase.contains(where: { if case .comment = $0 { false } else { true } }) else { return nil }
        // Dovecot gives up on such a mailbox and keeps only the placeholders.
        if phrase.contains(.unterminatedQuote) { return Self.addrSpec([]) }
        // Several words and no `@` (`To: hibody hibody example.org`) are a display name
        // without an address, as Dovecot reads them; one word (`To: d`) is a local part.
        let words = range.filter { if case .comment = tokens[$0] { false } else { true } }
        if !phrase.contains(.special(UInt8(ascii: "@"))), words.dropFirst().contains(where: { spaceBefore[$0] }) {
            return Self.addrSpec([]).named(text(ofPhrase: range))
        }
        let comments = phrase.compactMap { token -> String? in
            if case .comment(let text) = token { return text }
            return nil
        }
        return Self.addrSpec(phrase).named(comments.last ?? "")
    }

    /// `local@domain` from tokens, comments and whitespace dropped.
    private static func addrSpec(_ tokens: [Token]) -> MailboxAddress {
        var local = ""
        var domain = ""
        var inDomain = false
        for token in tokens {
            switch token {
            case .special(UInt8(ascii: "@")) where !inDomain: inDomain = true
            case .word(let text), .domainLiteral(let text):
                if inDomain { domain += text } else { local += text }
            case .special(let byte):
                if inDomain { domain.unicodeScalars.append(Unicode.Scalar(byte)) } else { local.unicodeScalars.append(Unicode.Scalar(byte)) }
            case .comment, .unterminatedQuote: break
            }
        }
        // Dovecot's parser fills what is missing (MESSAGE_ADDRESS_PARSE_FLAG_FILL_MISSING),
        // and both SEARCH and SORT see the fillers: `Cc: j` is `<j@MISSING_DOMAIN>`.
        return MailboxAddress(displayName: "", rawDisplayName: "", localPart: local.isEmpty ? missingMailbox : local,
                              domain: domain.isEmpty ? missingDomain : domain)
    }

    static let missingMailbox = "MISSING_MAILBOX"
    static let missingDomain = "MISSING_DOMAIN"


    /// A display name as written: its words joined by single spaces where spaces were.
    private func text(ofPhrase range: Range<Int>) -> String {
        var text = ""
        for index in range {
            let piece: String
            switch tokens[index] {
            case .word(let word), .domainLiteral(let word): piece = word
            case .special(let byte): piece = String(Unicode.Scalar(byte))
            case .comment, .unterminatedQuote: continue
            }
            // Between words, not after an empty one: `"" Angles` is " Angles", as in Dovecot.
            if index > range.lowerBound && spaceBefore[index] { text += " " }
            text += piece
        }
        return text
    }

    private static func tokenize(_ bytes: [UInt8]) -> (tokens: [Token], spaceBefore: [Bool]) {
        var tokens: [Token] = []
        var spaceBefore: [Bool] = []
        var sawSpace = false
        var index = 0
        let specials: Set<UInt8> = Set("()<>[]:;@\\,.\"".utf8)
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                sawSpace = true
                index += 1
                continue
            case UInt8(ascii: "\""):
                var content: [UInt8] = []
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
                    content.append(bytes[index])
                    index += 1
                }
                tokens.append(index < bytes.count ? .word(String(decoding: content, as: UTF8.self)) : .unterminatedQuote)
                index += 1
            case UInt8(ascii: "("):
                var depth = 0
                var content: [UInt8] = []
                while index < bytes.count {
                    let current = bytes[index]
                    if current == UInt8(ascii: "\\"), index + 1 < bytes.count {
                        content.append(bytes[index + 1])
                        index += 2
                        continue
                    }
                    if current == UInt8(ascii: "(") {
                        depth += 1
                        if depth > 1 { content.append(current) }
                    } else if current == UInt8(ascii: ")") {
                        depth -= 1
                        if depth == 0 {
                            index += 1
                            break
                        }
                        content.append(current)
                    } else {
                        content.append(current)
                    }
                    index += 1
                }
                tokens.append(.comment(String(decoding: content, as: UTF8.self)))
            case UInt8(ascii: "["):
                var end = index + 1
                while end < bytes.count, bytes[end] != UInt8(ascii: "]") { end += 1 }
                let upper = min(end + 1, bytes.count)
                tokens.append(.domainLiteral(String(decoding: bytes[index..<upper], as: UTF8.self)))
                index = upper
            case _ where specials.contains(byte):
                tokens.append(.special(byte))
                index += 1
            default:
                var end = index
                while end < bytes.count, !specials.contains(bytes[end]), ![UInt8(ascii: " "), UInt8(ascii: "\t")].contains(bytes[end]) {
                    end += 1
                }
                tokens.append(.word(String(decoding: bytes[index..<end], as: UTF8.self)))
                index = end
            }
            spaceBefore.append(sawSpace)
            sawSpace = false
        }
        return (tokens, spaceBefore)
    }
}
