import MoatCore

/// The header block amavisd-new prepends to a message it quarantines to a local file,
/// and its parser. Sans-I/O: bytes in, bytes out.
///
/// ```
/// X-Envelope-From: <sender@example.org>
/// X-Envelope-To: <a@example.com>,
///  <b@example.com>
/// X-Envelope-To-Blocked: <a@example.com>
/// X-Quarantine-ID: <AbC-12_xyZ90>
/// …original message bytes, unchanged…
/// ```
///
/// `X-Envelope-To` lists every envelope recipient, `X-Envelope-To-Blocked` (omitted when
/// empty) those the message was quarantined for. One address per line, each in angle
/// brackets; the null sender is `<>`. A line that would pass RFC 5322's 998 octets (an
/// address of 2,000) is cut there and goes on after a line break and one space, which the
/// parser removes again, so every address reads back byte for byte. The lines end the way the message's first line
/// does (CRLF when it uses CRLF, LF otherwise) so the file stays one consistent message.
///
/// The parser accepts exactly this block in this order and stops at the first
/// `X-Quarantine-ID` line carrying the expected ID, so whatever the original message
/// starts with (even its own `X-Envelope-*` fields from an earlier hop) is returned as is.
/// The client identity (`Envelope.client`) is not recorded, as in amavisd-new.
enum EnvelopeHeaderBlock {
    static let fromField = "X-Envelope-From"
    static let toField = "X-Envelope-To"
    static let blockedField = "X-Envelope-To-Blocked"
    static let idField = "X-Quarantine-ID"

    // MARK: Rendering

    /// The header block for `message`, to be written in front of it.
    /// - Throws: `QuarantineError.invalidAddress` for an address containing CR, LF or NUL.
    static func render(mailID: String, envelope: Envelope, blocked: [String],
                       for message: [UInt8]) throws -> [UInt8] {
        let eol: [UInt8] = usesCRLF(message) ? [13, 10] : [10]
        var out: [UInt8] = []
        out.reserveCapacity(128 + 64 * (envelope.recipients.count + blocked.count))
        func field(_ name: String, _ addresses: [String]) throws {
            if addresses.isEmpty { out.append(contentsOf: Array("\(name):".utf8) + eol) }
            for (index, address) in addresses.enumerated() {
                guard !address.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else {
                    throw QuarantineError.invalidAddress(address)
                }
                let line = (index == 0 ? name + ":" : "") + " <\(address)>" + (index < addresses.count - 1 ? "," : "")
                let pieces = HeaderLineLimit.cut(Array(line.utf8)[...], first: HeaderLineLimit.octets,
                                                 rest: HeaderLineLimit.octets - 1)
                for (n, piece) in pieces.enumerated() {
                    if n > 0 { out.append(0x20) }
                    out.append(contentsOf: piece)
                    out.append(contentsOf: eol)
                }
            }
        }
        try field(fromField, [envelope.sender.description])
        try field(toField, envelope.recipients.map(\.description))
        if !blocked.isEmpty { try field(blockedField, blocked) }
        try field(idField, [mailID])
        return out
    }

    /// True when the message's first line ends in CRLF.
    static func usesCRLF(_ message: [UInt8]) -> Bool {
        guard let lf = message.firstIndex(of: 10) else { return false }
        return lf > 0 && message[lf - 1] == 13
    }

    // MARK: Parsing

    /// What `parse` found: the envelope and where the original message starts.
    struct Parsed: Equatable {
        var envelope: Envelope
        var blocked: [String]
        var bodyStart: Int
    }

    /// Parses the block at the start of `file`, written for `mailID`.
    /// - Parameter path: only for error messages.
    /// - Throws: `QuarantineError.corruptFile` when the block is missing, out of order,
    ///   or names another ID.
    static func parse(_ file: [UInt8], mailID: String, path: String) throws -> Parsed {
        var reader = LineReader(bytes: file)
        func fail(_ reason: String) -> QuarantineError {
            .corruptFile(path: path, reason: reason)
        }

        guard let first = reader.next() else { throw fail("empty file") }
        reader.crlf = first.crlf
        guard let fromValue = value(of: fromField, in: first.content) else {
            throw fail("does not start with \(fromField)")
        }
        let senders = try addresses(in: reader.unfolding(fromValue), field: fromField, path: path)
        guard senders.count == 1 else { throw fail("\(fromField) must hold one address") }

        guard let toLine = reader.next(), let toValue = value(of: toField, in: toLine.content) else {
            throw fail("\(toField) must follow \(fromField)")
        }
        let recipients = try addresses(in: reader.unfolding(toValue), field: toField, path: path)

        guard var line = reader.next() else { throw fail("\(idField) missing") }
        var blocked: [String] = []
        if let blockedValue = value(of: blockedField, in: line.content) {
            blocked = try addresses(in: reader.unfolding(blockedValue), field: blockedField, path: path)
            guard let next = reader.next() else { throw fail("\(idField) missing") }
            line = next
        }
        guard let idValue = value(of: idField, in: line.content) else {
            throw fail("\(idField) missing")
        }
        let ids = try addresses(in: idValue, field: idField, path: path)
        guard ids == [mailID] else {
            throw fail("\(idField) is \(ids.joined(separator: ",")), expected \(mailID)")
        }
        let envelope = Envelope(sender: address(from: senders[0]),
                                recipients: recipients.map(address(from:)))
        return Parsed(envelope: envelope, blocked: blocked, bodyStart: reader.offset)
    }

    /// The value after `name:` when `line` is that field (name compared ASCII
    /// case-insensitively), else nil.
    private static func value(of name: String, in line: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let nameBytes = Array(name.utf8)
        guard line.count > nameBytes.count,
              line[line.startIndex + nameBytes.count] == UInt8(ascii: ":") else { return nil }
        for (offset, expected) in nameBytes.enumerated()
        where asciiLowercased(line[line.startIndex + offset]) != asciiLowercased(expected) {
            return nil
        }
        return line[(line.startIndex + nameBytes.count + 1)...]
    }

    /// The contents of each `<…>` in `value`, separated by commas and whitespace. A `>`
    /// inside a quoted local part (`<"a>b"@x>`) does not close the address.
    private static func addresses(in value: ArraySlice<UInt8>, field: String,
                                  path: String) throws -> [String] {
        var result: [String] = []
        var index = value.startIndex
        while index < value.endIndex {
            let byte = value[index]
            if byte == 0x20 || byte == 0x09 || byte == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "<") else {
                throw QuarantineError.corruptFile(path: path, reason: "\(field): expected '<'")
            }
            let start = index + 1
            var cursor = start
            var inQuotes = false
            var escaping = false
            while cursor < value.endIndex {
                let ch = value[cursor]
                if escaping { escaping = false }
                else if inQuotes && ch == UInt8(ascii: "\\") { escaping = true }
                else if ch == UInt8(ascii: "\"") { inQuotes.toggle() }
                else if !inQuotes && ch == UInt8(ascii: ">") { break }
                cursor += 1
            }
            guard cursor < value.endIndex else {
                throw QuarantineError.corruptFile(path: path, reason: "\(field): unterminated '<'")
            }
            result.append(String(decoding: value[start..<cursor], as: UTF8.self))
            index = cursor + 1
        }
        return result
    }

    /// The address written as `text` (the inverse of `EmailAddress.description`): parsed
    /// when possible, otherwise split at the last `@` so nothing recorded is lost.
    static func address(from text: String) -> EmailAddress {
        if text.isEmpty { return .null }
        if let parsed = EmailAddress(parsing: text) { return parsed }
        guard let at = text.lastIndex(of: "@") else {
            return EmailAddress(uncheckedLocalPart: text, domain: "")
        }
        var local = String(text[..<at])
        if local.count >= 2, local.hasPrefix("\""), local.hasSuffix("\"") {
            var unescaped = ""
            var escaping = false
            for ch in local.dropFirst().dropLast() {
                if !escaping && ch == "\\" { escaping = true; continue }
                escaping = false
                unescaped.append(ch)
            }
            local = unescaped
        }
        return EmailAddress(uncheckedLocalPart: local, domain: String(text[text.index(after: at)...]))
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}

/// Splits the header block into lines, remembering where it stopped.
private struct LineReader {
    let bytes: [UInt8]
    /// Start of the next unread line.
    private(set) var offset = 0
    /// Whether lines end in CRLF (decided by the first line).
    var crlf = false

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The next complete line without its terminator; nil at end of input or when the
    /// rest has no line terminator (the block always ends with one).
    mutating func next() -> (content: ArraySlice<UInt8>, crlf: Bool)? {
        guard offset < bytes.count,
              let lf = bytes[offset...].firstIndex(of: 10) else { return nil }
        let isCRLF = lf > offset && bytes[lf - 1] == 13
        let end = isCRLF && (crlf || offset == 0) ? lf - 1 : lf
        let line = bytes[offset..<end]
        offset = lf + 1
        return (line, isCRLF)
    }

    /// True when the next line is a continuation (starts with space or tab).
    private func atContinuation() -> Bool {
        offset < bytes.count && (bytes[offset] == 0x20 || bytes[offset] == 0x09)
    }

    /// `value` followed by the continuation lines after it, each without the one space or
    /// tab that starts it: the inverse of how `render` breaks lines, so an address cut
    /// across lines is whole again.
    mutating func unfolding(_ value: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard atContinuation() else { return value }
        var joined = Array(value)
        while atContinuation(), let line = next() {
            joined.append(contentsOf: line.content.dropFirst())
        }
        return joined[...]
    }
}
