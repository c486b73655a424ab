import Foundation
import MIME

/// One relay parsed from a `Received` header (SpamAssassin's relay hash).
public struct SARelay: Sendable, Equatable {
    public var ip: String
    public var rdns: String
    public var helo: String
    public var by: String
    public var ident: String
    public var envfrom: String
    public var id: String
    public var auth: String
    public var isPrivate: Bool
    public var isInternal: Bool
    /// Inside `msa_networks`.
    public var isMSA = false

    /// `[ ip=… rdns=… helo=… by=… ident=… envfrom=… intl=0 id=… auth=… msa=0 ]`
    public var asString: String {
        "[ ip=\(ip) rdns=\(rdns) helo=\(helo) by=\(by) ident=\(ident) envfrom=\(envfrom) intl=\(isInternal ? 1 : 0) id=\(id) auth=\(auth) msa=\(isMSA ? 1 : 0) ]"
    }
}

/// Relays from `Received` headers split into trusted/untrusted and internal/external as
/// SpamAssassin 4.0.1's `Message::Metadata::Received` does. With `trusted_networks` or
/// `internal_networks` configured, a relay stays trusted while its IP is in the trusted set
/// (or the hop was authenticated), internal while also in the internal set; an MSA relay
/// extends trust to everything below it. With neither configured, trust is inferred: relays
/// stay trusted (and internal) while the connecting IP is private or the hop was
/// authenticated; the first public unauthenticated relay and everything below it are untrusted.
///
/// The line parser covers the common formats (Postfix, sendmail, Exim, qmail, Microsoft,
/// generic `from HELO (RDNS [IP]) by BY … id ID`), not every special case of Received.pm.
public struct SARelays: Sendable {
    public var trusted: [SARelay] = []
    public var untrusted: [SARelay] = []
    /// Relays outside `internal_networks` (`relays_external`), newest first.
    public var external: [SARelay] = []
    /// Index of the last Received header in the trusted part (-1: none).
    public var lastTrustedIndex = -1

    public var trustedString: [UInt8] { Array(trusted.map(\.asString).joined(separator: " ").utf8) }
    public var untrustedString: [UInt8] { Array(untrusted.map(\.asString).joined(separator: " ").utf8) }

    /// `parse` of each decoded Received value (+ "\n"), in order; reused by the relay evals.
    let parsedReceived: [SARelay?]

    init(_ headers: SAHeaderStore, trust: RelayTrust = .inferred) {
        var inTrusted = true
        var inInternal = true
        var foundMSA = false
        var allowMailfetchMarkers = false
        var parsed: [SARelay?] = []
        for raw in headers.decoded("Received") {
            // ASCII bytes decode to the same String, so `parse` would take parseASCII anyway;
            // a line with any other byte decodes to a non-ASCII String.
            let parsedLine: SARelay?
            let fetchmail: Bool
            if raw.allSatisfy({ $0 < 0x80 }) {
                parsedLine = Self.parseASCII(raw)
                fetchmail = Self.asciiFind(raw, "(fetchmail-") != nil
            } else {
                let line = String(decoding: raw, as: UTF8.self)
                parsedLine = Self.parseCharacters(line)
                fetchmail = line.contains(" with IMAP (fetchmail-") || line.contains(" with POP3 (fetchmail-") || line.contains("(fetchmail-")
            }
            parsed.append(parsedLine)
            if fetchmail {
                // found_pop_fetcher_sig: a fetcher inside the trusted area restarts the parse
                if allowMailfetchMarkers { trusted = [] }
                if inTrusted { lastTrustedIndex += 1 }
                continue
            }
            guard var relay = parsedLine else {
                if inTrusted { lastTrustedIndex += 1 }
                continue
            }
            if inTrusted && !foundMSA {
                if !trust.isConfigured {
                    if !(relay.isPrivate || !relay.auth.isEmpty) { inTrusted = false; inInternal = false }
                } else if relay.auth.isEmpty && !trust.trusted.contains(relay.ip) {
                    // not trusted is not internal either (no `originating` caller here)
                    inTrusted = false
                    inInternal = false
                } else {
                    if inInternal && relay.auth.isEmpty && !trust.internal.contains(relay.ip) { inInternal = false }
                    if trust.msa.contains(relay.ip) { foundMSA = true; relay.isMSA = true }
                }
            }
            relay.isInternal = inInternal
            if !inInternal { external.append(relay) }
            if inTrusted {
                trusted.append(relay); lastTrustedIndex += 1
                allowMailfetchMarkers = true
            } else {
                untrusted.append(relay)
                allowMailfetchMarkers = false
            }
        }
        parsedReceived = parsed
    }

    /// Parses one unfolded Received value; nil when it is unparseable or a local handover.
    /// ASCII lines (nearly all) are parsed as bytes (``parseASCII(_:)``), with the same
    /// results as this Character-based form, which the others keep.
    public static func parse(_ line: String) -> SARelay? {
        isASCII(line) ? parseASCII(Array(line.utf8)) : parseCharacters(line)
    }

    static func parseCharacters(_ line: String) -> SARelay? {
        var s = squeeze(line)
        while s.hasSuffix(";") { s.removeLast(); while s.hasSuffix(" ") { s.removeLast() } }
        // drop the date part after the last ';'
        if let semi = s.lastIndex(of: ";") { s = String(s[..<semi]) }
        guard s.hasPrefix("from ") else { return nil }
        let lower = s.lowercased()
        // All-ASCII lines (nearly all) search bytes; others keep Foundation's searches.
        let ascii = isASCII(s)
        func lowerContains(_ needle: String) -> Bool { ascii ? asciiFind(lower, needle) != nil : lower.contains(needle) }
        if isIgnoredHandover(s, ascii: ascii) { return nil }
        var fromPart = s
        var byPart = ""
        if ascii {
            if let k = asciiFind(lower, " by ") {
                let lo = s.utf8.index(s.utf8.startIndex, offsetBy: k)
                let hi = s.utf8.index(lo, offsetBy: 4)
                fromPart = String(s[..<lo])
                byPart = String(s[hi...])
            }
        } else if let r = lower.range(of: " by ") {
            fromPart = String(s[..<r.lowerBound])
            byPart = String(s[r.upperBound...])
        }
        // IP: the first IPv4 literal in the from-part (bracketed preferred)
        guard let ip = firstIPv4(fromPart, bracketed: true) ?? firstIPv4(fromPart, bracketed: false) else { return nil }
        var relay = SARelay(ip: ip, rdns: "", helo: "", by: "", ident: "", envfrom: "", id: "", auth: "",
                            isPrivate: isPrivate(ip), isInternal: false)
        let fromWords = fromPart.dropFirst(5).split(separator: " ", omittingEmptySubsequences: true)
        let firstWord = fromWords.first.map(String.init) ?? ""
        relay.helo = firstWord
        if firstWord.hasPrefix("[") || firstWord.hasPrefix("(") { relay.helo = "" }
        let paren = fromWords.count > 1 ? String(fromWords[1]) : ""
        if paren.hasPrefix("([") || paren.hasPrefix("(IPv6") {
            if let h = value(after: "helo=", in: fromPart, ascii: ascii) {
                // Exim: "from RDNS ([ip] helo=HELO)"
                relay.rdns = firstWord
                relay.helo = h
            }
            // sendmail/MS: "from HELO ([ip])" – no reverse DNS
        } else if paren.hasPrefix("(HELO ") || paren == "(HELO" {
            // qmail: "from RDNS (HELO helo) (ip)"
            if let h = value(after: "(HELO ", in: fromPart, ascii: ascii) { relay.helo = h.trimming("()") }
            relay.rdns = firstWord.lowercased() == "unknown" ? "" : firstWord
        } else if paren.hasPrefix("("), let open = fromPart.firstIndex(of: "("), let close = fromPart.firstIndex(of: ")"),
                  open < close {
            // sendmail/Postfix: "from HELO (RDNS [ip])", "(ident@RDNS [ip])", "(IDENT:x@RDNS [ip])"
            var inside = String(fromPart[fromPart.index(after: open)..<close])
            var ident = ""
            if inside.hasPrefix("IDENT:") { inside = String(inside.dropFirst(6)) }
            let word = String(inside.prefix { $0 != " " })
            if firstIPv4(word, bracketed: false) == word {
                // "from HELO (ip)": SA uses the HELO as rdns too
                relay.rdns = firstWord
            } else if !word.hasPrefix("[") {
                var w = word
                if let at = w.lastIndex(of: "@") { ident = String(w[..<at]); w = String(w[w.index(after: at)...]) }
                relay.rdns = w
                relay.ident = ident
            }
        }
        // "from [ip1] (rdns [ip2])": the connecting address is the one in parentheses and the
        // bracketed HELO literal is kept with SA's '!' for brackets.
        // (A ")" before the first "(" leaves no parenthesis to read.)
        if firstWord.hasPrefix("["), paren.hasPrefix("("), let open = fromPart.firstIndex(of: "("),
           let close = fromPart.firstIndex(of: ")"), open < close {
            let inside = String(fromPart[fromPart.index(after: open)..<close])
            if let ip2 = firstIPv4(inside, bracketed: true) ?? firstIPv4(inside, bracketed: false), !inside.hasPrefix("helo=") {
                relay.ip = ip2
                relay.isPrivate = isPrivate(ip2)
                relay.helo = firstWord.replacingOccurrences(of: "[", with: "!").replacingOccurrences(of: "]", with: "!")
                let w = inside.prefix { $0 != " " && $0 != "[" }
                relay.rdns = w.contains(".") ? String(w) : ""
            }
        }
        if paren.hasPrefix("(["), !(ascii ? asciiFind(fromPart, "helo=") != nil : fromPart.contains("helo=")), lowerContains("(exim ") {
            relay.rdns = firstWord
        }
        if relay.rdns.hasPrefix("[") || relay.rdns.hasPrefix("@[") || relay.rdns.lowercased() == "unknown" { relay.rdns = "" }
        // Exim: "from [ip] (helo=HELO)"
        if firstWord.hasPrefix("["), paren.hasPrefix("(helo="), let h = value(after: "(helo=", in: fromPart, ascii: ascii) {
            relay.helo = h
            relay.rdns = ""
        }
        // "from IP by HOST with HTTP" (webmail): the first word is the address
        if firstIPv4(firstWord, bracketed: false) == firstWord, !paren.hasPrefix("(") {
            relay.helo = ""
        }
        let byWords = byPart.split(separator: " ")
        if let b = byWords.first { relay.by = String(b).trimming("();") }
        if let i = byWords.firstIndex(of: "id"), i + 1 < byWords.count {
            relay.id = String(byWords[i + 1]).trimming(";<>")
        }
        if let e = value(after: "(envelope-sender <", in: s, ascii: ascii) { relay.envfrom = e.trimming("<>") }
        else if let e = value(after: "envelope-from <", in: s, ascii: ascii) { relay.envfrom = e.trimming("<>") }
        else if let e = value(after: "envelope-from ", in: s, ascii: ascii) { relay.envfrom = e.trimming("<>()") }
        if let proto = authenticatedProtocol(s) { relay.auth = proto }
        if relay.auth.isEmpty {
            // (` with ASMTP` is one of authenticatedProtocol's forms)
            if lowerContains("(authenticated bits=") { relay.auth = "Sendmail" }
            else if lowerContains("(authenticated sender:") { relay.auth = "Postfix" }
        }
        return relay
    }

    /// Received.pm's first authentication test: ` with PROTO` followed by a space, `;` or
    /// the end, where PROTO is `(ES|L|UTF8S|UTF8L)MTPS?A`, `ASMTP` or `HTTP[SU]?` in any
    /// case (RFC 3848 and webmail); needs a ` by ` somewhere in the line.
    static func authenticatedProtocol(_ line: String) -> String? { authenticatedProtocol(Array(line.utf8)) }

    static func authenticatedProtocol(_ b: [UInt8]) -> String? {
        guard asciiFind(b, " by ") != nil else { return nil }
        let with = Array(" with ".utf8)
        var i = 0
        while i + with.count <= b.count {
            defer { i += 1 }
            guard b[i] == 0x20, b[i..<(i + with.count)].elementsEqual(with) else { continue }
            let start = i + with.count
            var end = start
            while end < b.count, b[end] != 0x20, b[end] != 0x3B { end += 1 }
            let word = String(decoding: b[start..<end], as: UTF8.self)
            if isAuthenticatedProtocol(word.uppercased()) { return word }
        }
        return nil
    }

    private static func isAuthenticatedProtocol(_ up: String) -> Bool {
        if up == "ASMTP" || up == "HTTP" || up == "HTTPS" || up == "HTTPU" { return true }
        for prefix in ["ES", "L", "UTF8S", "UTF8L"] where up.hasPrefix(prefix) {
            let rest = up.dropFirst(prefix.count)
            if rest == "MTPA" || rest == "MTPSA" { return true }
        }
        return false
    }

    /// Local handovers Received.pm skips (`return 0`): local delivery, localhost-to-localhost,
    /// mail fetchers, "from X by Y" without an address.
    static func isIgnoredHandover(_ line: String) -> Bool {
        isIgnoredHandover(line, ascii: isASCII(line))
    }

    static func isIgnoredHandover(_ line: String, ascii: Bool) -> Bool {
        let l = line.lowercased()
        // (" with local for " is a case of ` with local(-\S+)? `)
        if hasWithLocal(Array(l.unicodeScalars)) { return true }
        if ascii ? asciiFind(l, "(fetchmail-") != nil : l.contains("(fetchmail-") { return true }
        let rest = line.dropFirst(5)
        // Received.pm line 366: "from HOST by HOST;" with no address at all.
        if isBareFromBy(Array(rest.unicodeScalars)), !rest.hasPrefix("[") { return true }
        return false
    }

    private typealias ICU = ICUScalarClasses

    /// ` with local(-\S+)? ` (ICU) occurs in `a`.
    static func hasWithLocal(_ a: [Unicode.Scalar]) -> Bool {
        let n = a.count
        var i = 0
        while i + 12 <= n {
            defer { i += 1 }
            guard a[i] == " ", ICU.hasLiteral(a, at: i, " with local") else { continue }
            let after = i + 11
            if a[after] == " " { return true }
            guard a[after] == "-" else { continue }
            var j = after + 1
            while j < n, !ICU.isSpace(a[j]) { j += 1 }
            if j > after + 1, j < n, a[j] == " " { return true }
        }
        return false
    }

    /// `^\S+ by [^\s;]+ ?;` (ICU) matches `a`.
    static func isBareFromBy(_ a: [Unicode.Scalar]) -> Bool {
        let n = a.count
        var i = 0
        while i < n, !ICU.isSpace(a[i]) { i += 1 }
        guard i > 0, ICU.hasLiteral(a, at: i, " by ") else { return false }
        let j = i + 4
        var k = j
        while k < n, !ICU.isSpace(a[k]), a[k] != ";" { k += 1 }
        guard k > j, k < n else { return false }
        return a[k] == ";" || (a[k] == " " && k + 1 < n && a[k + 1] == ";")
    }

    static func value(after key: String, in s: String) -> String? {
        value(after: key, in: s, ascii: isASCII(s))
    }

    static func value(after key: String, in s: String, ascii: Bool) -> String? {
        if ascii {
            guard let k = asciiFind(s, key) else { return nil }
            let start = s.utf8.index(s.utf8.startIndex, offsetBy: k + key.utf8.count)
            var end = start
            while end < s.utf8.endIndex {
                let b = s.utf8[end]
                if b == 0x20 || b == 0x29 || b == 0x3B || b == 0x3E { break }
                s.utf8.formIndex(after: &end)
            }
            return start == end ? nil : String(s[start..<end])
        }
        guard let r = s.range(of: key) else { return nil }
        let v = s[r.upperBound...].prefix { $0 != " " && $0 != ")" && $0 != ";" && $0 != ">" }
        return v.isEmpty ? nil : String(v)
    }

    /// `line` split at " ", "\t", "\n", "\r" (as Characters: a "\r\n" pair is one Character
    /// and no separator) with the pieces joined by single spaces.
    static func squeeze(_ line: String) -> String {
        guard isASCII(line) else {
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
        }
        return String(decoding: squeezeASCII(Array(line.utf8)), as: UTF8.self)
    }

    /// `squeeze` of an ASCII line, as bytes.
    static func squeezeASCII(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var pendingSpace = false
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == 0x0D, i + 1 < b.count, b[i + 1] == 0x0A {
                // CRLF: one Character, kept as content
                if pendingSpace && !out.isEmpty { out.append(0x20) }
                pendingSpace = false
                out.append(0x0D); out.append(0x0A)
                i += 2
                continue
            }
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                pendingSpace = true
            } else {
                if pendingSpace && !out.isEmpty { out.append(0x20) }
                pendingSpace = false
                out.append(c)
            }
            i += 1
        }
        return out
    }

    /// Whether `s` is all ASCII.
    static func isASCII(_ s: String) -> Bool {
        s.utf8.withContiguousStorageIfAvailable { b in b.allSatisfy { $0 < 0x80 } } ?? s.utf8.allSatisfy { $0 < 0x80 }
    }

    /// Byte offset of the first occurrence of the (ASCII, non-empty) `needle` in `s`.
    static func asciiFind(_ s: String, _ needle: String) -> Int? {
        Array(s.utf8).find(Array(needle.utf8), from: 0)
    }

    /// Offset of the first occurrence of the ASCII (non-empty) `needle` in `bytes`.
    static func asciiFind(_ bytes: [UInt8], _ needle: StaticString) -> Int? {
        needle.withUTF8Buffer { bytes.find($0, from: 0) }
    }

    static func firstIPv4(_ s: String, bracketed: Bool) -> String? { firstIPv4(Array(s.utf8), bracketed: bracketed) }

    static func firstIPv4(_ u: [UInt8], bracketed: Bool) -> String? {
        var i = 0
        while i < u.count {
            if bracketed {
                guard u[i] == 0x5B else { i += 1; continue }
                var j = i + 1
                if u[j...].starts(with: "IPv6:".utf8) { i += 1; continue }
                while j < u.count, (0x30...0x39).contains(u[j]) || u[j] == 0x2E { j += 1 }
                if j < u.count, u[j] == 0x5D, let ip = validIPv4(u[(i + 1)..<j]) { return ip }
                i += 1
            } else {
                guard (0x30...0x39).contains(u[i]), i == 0 || !((0x30...0x39).contains(u[i - 1]) || u[i - 1] == 0x2E || UTF8Text.isWordByte(u[i - 1])) else { i += 1; continue }
                var j = i
                while j < u.count, (0x30...0x39).contains(u[j]) || u[j] == 0x2E { j += 1 }
                if let ip = validIPv4(u[i..<j]), j >= u.count || !UTF8Text.isWordByte(u[j]) { return ip }
                i = j
            }
        }
        return nil
    }

    static func validIPv4(_ b: ArraySlice<UInt8>) -> String? {
        let parts = b.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && Int(String(decoding: $0, as: UTF8.self))! <= 255 }) else { return nil }
        return String(decoding: b, as: UTF8.self)
    }

    static func isPrivate(_ ip: String) -> Bool {
        let p = ip.split(separator: ".").compactMap { Int($0) }
        guard p.count == 4 else { return false }
        switch p[0] {
        case 10, 127: return true
        case 169: return p[1] == 254
        case 172: return (16...31).contains(p[1])
        case 192: return p[1] == 168
        case 100: return (64...127).contains(p[1])
        default: return false
        }
    }
}

extension StringProtocol {
    fileprivate func trimming(_ chars: String) -> String {
        let set = Set(chars)
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
