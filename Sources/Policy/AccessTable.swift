import Foundation
import MoatCore

/// A Postfix access(5) table read from a text file, as `postmap hash:` would index it:
/// `key action [text]` lines, `#` comment lines, blank lines ignored, a line starting with
/// whitespace continuing the previous one. Keys are case-insensitive.
///
/// Lookups follow smtpd_check.c: a client is tried by hostname and its parent domains
/// (parent_domain_matches_subdomains includes smtpd_access_maps by default, so the key
/// `example.com` matches `mx.example.com`), then by address and its parent networks
/// (`192.0.2.1`, `192.0.2`, `192.0`, `192`; IPv6 cut at each `:`); a sender by full address,
/// then domain and parent domains, then `user@`; the null sender as `<>`.
/// A Moat extension: keys written as CIDR (`192.0.2.0/24`) match after the above, longest
/// prefix first (Postfix needs a separate cidr: table for that).
public struct AccessTable: Sendable, Equatable {
    /// Where it was read from (for logs and errors).
    public let path: String
    private let entries: [String: AccessAction]
    private let networks: [(CIDR, AccessAction)]

    /// Reads and parses the file; errors carry the path and line.
    public init(contentsOfFile path: String) throws(AccessTableError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AccessTableError(path: path, line: 0, reason: "cannot read: \(error.localizedDescription)")
        }
        try self.init(text: text, path: path)
    }

    /// Parses table text; `path` only names it in errors.
    public init(text: String, path: String) throws(AccessTableError) {
        self.path = path
        var logical: [(line: Int, text: String)] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if line.first == " " || line.first == "\t" {
                guard !logical.isEmpty else {
                    throw AccessTableError(path: path, line: index + 1, reason: "continuation line without an entry")
                }
                logical[logical.count - 1].text += " " + trimmed
            } else {
                logical.append((index + 1, trimmed))
            }
        }
        var entries: [String: AccessAction] = [:]
        var networks: [(CIDR, AccessAction)] = []
        for (line, entry) in logical {
            guard let space = entry.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
                throw AccessTableError(path: path, line: line, reason: "'\(entry)' has no action")
            }
            let key = entry[..<space].lowercased()
            let value = entry[space...].trimmingCharacters(in: .whitespaces)
            let action: AccessAction
            do { action = try AccessAction(value) } catch { throw AccessTableError(path: path, line: line, reason: error.reason) }
            if key.contains("/") {
                guard let cidr = try? CIDR(key) else {
                    throw AccessTableError(path: path, line: line, reason: "bad network '\(key)'")
                }
                networks.append((cidr, action))
            } else if entries[key] == nil {
                // postmap keeps the first of duplicate keys (with a warning).
                entries[key] = action
            }
        }
        self.entries = entries
        self.networks = networks.sorted { $0.0.prefixLength > $1.0.prefixLength }
    }

    /// The first entry matching the client: hostname (and parents), address, networks.
    public func lookupClient(hostname: String, address: IPAddress) -> AccessAction? {
        if hostname != "unknown", let hit = lookupDomain(hostname) { return hit }
        var text = address.description
        if let hit = entries[text] { return hit }
        let delimiter: Character = address.isIPv4 ? "." : ":"
        while let cut = text.lastIndex(of: delimiter) {
            text = String(text[..<cut])
            if let hit = entries[text] { return hit }
        }
        return networks.first { $0.0.contains(address) }?.1
    }

    /// The first entry matching a sender: `<>`, full address, domain (and parents), `user@`.
    public func lookupSender(_ sender: EmailAddress) -> AccessAction? {
        if sender.isNull { return entries["<>"] }
        let domain = AddressRouting.normalisedDomain(sender.domain)
        let local = sender.localPart.lowercased()
        if let hit = entries["\(local)@\(domain)"] { return hit }
        if let hit = lookupDomain(domain) { return hit }
        return entries["\(local)@"]
    }

    /// `a.b.example`, then `b.example`, then `example`.
    private func lookupDomain(_ name: String) -> AccessAction? {
        var rest = Substring(AddressRouting.normalisedDomain(name))
        while !rest.isEmpty {
            if let hit = entries[String(rest)] { return hit }
            guard let dot = rest.firstIndex(of: ".") else { break }
            rest = rest[rest.index(after: dot)...]
        }
        return nil
    }

    public static func == (lhs: AccessTable, rhs: AccessTable) -> Bool {
        lhs.path == rhs.path && lhs.entries == rhs.entries
            && lhs.networks.map(\.0) == rhs.networks.map(\.0) && lhs.networks.map(\.1) == rhs.networks.map(\.1)
    }
}

/// The right-hand side of an access(5) entry.
public enum AccessAction: Sendable, Hashable {
    /// `OK`, `PERMIT`, `RELAY` or an all-numeric value (Postfix: an out-of-band timestamp).
    case permit
    /// `DUNNO`: as if the key were not there, and stop looking at less specific keys.
    case dunno
    /// `REJECT [text]` (access_map_reject_code 554, 5.7.1) or `5NN text`.
    case reject(code: Int, enhancedCode: String?, text: String?)
    /// `DEFER [text]` (access_map_defer_code 450, 4.7.1) or `4NN text`.
    case `defer`(code: Int, enhancedCode: String?, text: String?)
    /// `DEFER_IF_PERMIT [text]`: 450 at the end unless something rejects first.
    case deferIfPermit(enhancedCode: String?, text: String?)

    /// Parses one action; unknown actions are errors (Postfix warns and ignores them, but a
    /// typo in a block list should stop start-up, not silently let mail through).
    init(_ value: String) throws(AccessTableError) {
        let word = value.prefix { $0 != " " && $0 != "\t" }
        let rest = value.dropFirst(word.count).trimmingCharacters(in: .whitespaces)
        let (dsn, text) = Self.splitEnhancedCode(rest)
        switch word.uppercased() {
        case "OK", "PERMIT", "RELAY": self = .permit
        case "DUNNO": self = .dunno
        case "REJECT": self = .reject(code: 554, enhancedCode: dsn, text: text)
        case "DEFER": self = .defer(code: 450, enhancedCode: dsn, text: text)
        case "DEFER_IF_PERMIT": self = .deferIfPermit(enhancedCode: dsn, text: text)
        default:
            if !word.isEmpty, word.allSatisfy(\.isASCII), word.allSatisfy(\.isNumber) {
                if word.count == 3, let code = Int(word), (400...599).contains(code) {
                    // access(5): "4NN text" / "5NN text"; the text is required.
                    guard text != nil else {
                        throw AccessTableError(path: "", line: 0, reason: "'\(value)' needs a text after the code")
                    }
                    self = code >= 500 ? .reject(code: code, enhancedCode: dsn, text: text)
                        : .defer(code: code, enhancedCode: dsn, text: text)
                } else {
                    self = .permit
                }
                return
            }
            throw AccessTableError(path: "", line: 0, reason: "unsupported action '\(word)'")
        }
    }

    /// `5.7.1 go away` → ("5.7.1", "go away") as Postfix's dsn_split; empty text → nil.
    private static func splitEnhancedCode(_ text: String) -> (String?, String?) {
        let first = text.prefix { $0 != " " }
        let parts = first.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 3, ["2", "4", "5"].contains(parts[0]),
            parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) })
        {
            let rest = text.dropFirst(first.count).trimmingCharacters(in: .whitespaces)
            return (String(first), rest.isEmpty ? nil : rest)
        }
        return (nil, text.isEmpty ? nil : text)
    }
}

/// An access table that cannot be used: unreadable, or a bad line.
public struct AccessTableError: Error, Sendable, Hashable, CustomStringConvertible {
    public let path: String
    /// 1-based; 0 when the file could not be read.
    public let line: Int
    public let reason: String
    public var description: String { line > 0 ? "\(path):\(line): \(reason)" : "\(path): \(reason)" }
}
