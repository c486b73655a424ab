/// An RFC 5321 mailbox as it travels in the envelope: `local@domain`, or the null
/// reverse-path `<>` used by bounces.
///
/// The local part keeps its case (RFC 5321 §2.4: it may be case-sensitive); the domain is
/// compared case-insensitively through `domain.lowercased()`.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    /// The local part, quoted form removed (`"a b"@x` has local part `a b`).
    public let localPart: String
    /// The domain as written, without a trailing dot; empty only for the null sender.
    public let domain: String

    /// The null reverse-path `<>`.
    public static let null = EmailAddress(uncheckedLocalPart: "", domain: "")

    public var isNull: Bool { localPart.isEmpty && domain.isEmpty }

    /// `local@domain`, or the empty string for the null sender.
    public var description: String {
        if isNull { return "" }
        return "\(Self.quoteLocalPartIfNeeded(localPart))@\(domain)"
    }

    /// `<local@domain>` as it appears in logs and in the SMTP dialogue.
    public var bracketed: String { "<\(description)>" }

    public init(uncheckedLocalPart: String, domain: String) {
        self.localPart = uncheckedLocalPart
        self.domain = domain
    }

    /// Parses `local@domain` (no angle brackets). Returns nil for anything that is not one
    /// mailbox: empty parts, bare `@`, source routes, control characters.
    public init?(parsing text: Substring) {
        guard !text.isEmpty, text.utf8.count <= 320 else { return nil }
        guard let at = Self.lastUnquotedAt(in: text) else { return nil }
        var local = text[text.startIndex..<at]
        var domain = text[text.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty else { return nil }
        if local.hasPrefix("\"") {
            guard local.count >= 2, local.hasSuffix("\"") else { return nil }
            local = local.dropFirst().dropLast()
            var unescaped = ""
            var escaping = false
            for ch in local {
                if escaping { unescaped.append(ch); escaping = false }
                else if ch == "\\" { escaping = true }
                else { unescaped.append(ch) }
            }
            guard !escaping else { return nil }
            local = Substring(unescaped)
        } else {
            guard local.utf8.allSatisfy({ Self.isAtextOrDot($0) }), !local.hasPrefix("."),
                  !local.hasSuffix("."), !local.contains("..") else { return nil }
        }
        if domain.hasSuffix(".") { domain = domain.dropLast() }
        guard Self.isValidDomain(domain) else { return nil }
        guard local.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }) else { return nil }
        self.localPart = String(local)
        self.domain = String(domain)
    }

    public init?(parsing text: String) { self.init(parsing: Substring(text)) }

    /// True for a domain name (LDH labels, UTF-8 allowed for SMTPUTF8) or an address literal.
    public static func isValidDomain(_ domain: Substring) -> Bool {
        if domain.hasPrefix("[") { return domain.hasSuffix("]") && domain.count > 2 }
        guard domain.utf8.count <= 255 else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63 else { return false }
            guard label.utf8.allSatisfy({ $0 >= 0x80 || isLetterDigitHyphen($0) }) else { return false }
            if label.hasPrefix("-") || label.hasSuffix("-") { return false }
        }
        return true
    }

    private static func lastUnquotedAt(in text: Substring) -> Substring.Index? {
        var inQuotes = false
        var escaping = false
        var found: Substring.Index?
        var index = text.startIndex
        while index < text.endIndex {
            let ch = text[index]
            if escaping { escaping = false }
            else if ch == "\\" && inQuotes { escaping = true }
            else if ch == "\"" { inQuotes.toggle() }
            else if ch == "@" && !inQuotes { found = index }
            index = text.index(after: index)
        }
        return found
    }

    private static func isLetterDigitHyphen(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D
    }

    /// RFC 5322 atext plus `.`, and any UTF-8 byte (RFC 6531 SMTPUTF8).
    private static func isAtextOrDot(_ b: UInt8) -> Bool {
        if b >= 0x80 || isLetterDigitHyphen(b) || b == 0x2E { return true }
        return "!#$%&'*+/=?^_`{|}~".utf8.contains(b)
    }

    private static func quoteLocalPartIfNeeded(_ local: String) -> String {
        let plain = !local.isEmpty && local.utf8.allSatisfy { isAtextOrDot($0) } && !local.hasPrefix(".")
            && !local.hasSuffix(".") && !local.contains("..")
        if plain { return local }
        var quoted = "\""
        for ch in local {
            if ch == "\"" || ch == "\\" { quoted.append("\\") }
            quoted.append(ch)
        }
        return quoted + "\""
    }
}
