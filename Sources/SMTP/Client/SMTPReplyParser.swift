// SMTPReplyParser - incremental parser of SMTP/LMTP replies (RFC 5321 §4.2).
//
// Sans-I/O: bytes go in with `append`, whole replies come out of `next()`. It keeps only
// the unconsumed bytes and where its last scan for LF stopped, so feeding one byte at a
// time costs no rescanning. Limits on the line length and the number of lines per reply
// bound memory against a hostile or broken server.
//
//     250-mx.example.org Hello             code 250, continuation ("-")
//     250-PIPELINING                        ...
//     250 2.0.0 Ok: queued as 3F4A21C0      last line (" "); enhanced code split off
//
// BUGS: a bare LF is accepted as a line end (Postfix does the same); a stray CR inside a
// line is kept in the text.

/// Turns reply bytes from a server into `SMTPReply` values, one complete (possibly
/// multi-line) reply at a time.
public struct SMTPReplyParser: Sendable {
    /// Why the byte stream is not a valid reply sequence. After an error the parser stays
    /// failed: every later `next()` throws the same error.
    public enum Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        /// A line (without its CRLF) is longer than the limit.
        case lineTooLong(limit: Int)
        /// A reply has more lines than the limit.
        case tooManyLines(limit: Int)
        /// A line does not start with a three-digit code followed by ` `, `-` or the end.
        case malformedLine(String)
        /// A continuation line carries a different code than the first line.
        case inconsistentCode(expected: Int, found: Int)

        public var description: String {
            switch self {
            case .lineTooLong(let limit): "reply line longer than \(limit) bytes"
            case .tooManyLines(let limit): "reply with more than \(limit) lines"
            case .malformedLine(let line): "malformed reply line: \(line)"
            case .inconsistentCode(let expected, let found):
                "reply code changed from \(expected) to \(found) within a multi-line reply"
            }
        }
    }

    public let maxLineLength: Int
    public let maxLines: Int

    private var buffer: [UInt8] = []
    /// First byte not yet consumed.
    private var readIndex = 0
    /// Where the search for the next LF resumes (everything in readIndex..<scanIndex has no LF).
    private var scanIndex = 0
    /// Lines of the reply being assembled: code and the text after the separator.
    private var lines: [(code: Int, text: [UInt8])] = []
    private var failure: Error?

    public init(maxLineLength: Int = 4096, maxLines: Int = 100) {
        precondition(maxLineLength >= 3 && maxLines >= 1)
        self.maxLineLength = maxLineLength
        self.maxLines = maxLines
    }

    /// Bytes received and not yet returned as part of a reply.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// True when no partial reply is pending (no buffered bytes, no pending lines).
    public var isIdle: Bool { bufferedByteCount == 0 && lines.isEmpty }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete reply, or nil when more bytes are needed.
    public mutating func next() throws(Error) -> SMTPReply? {
        if let failure { throw failure }
        do {
            return try parseNext()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func parseNext() throws(Error) -> SMTPReply? {
        while true {
            guard let lf = findLF() else {
                // Allow one byte more than the limit: it may be the CR of the CRLF.
                if buffer.count - readIndex > maxLineLength + 1 { throw .lineTooLong(limit: maxLineLength) }
                return nil
            }
            var end = lf
            if end > readIndex && buffer[end - 1] == 13 { end -= 1 }
            let line = buffer[readIndex..<end]
            readIndex = lf + 1
            scanIndex = readIndex
            guard line.count <= maxLineLength else { throw .lineTooLong(limit: maxLineLength) }
            if let reply = try consume(line: line) { return reply }
        }
    }

    private mutating func findLF() -> Int? {
        var i = scanIndex
        let end = buffer.count
        while i < end {
            if buffer[i] == 10 { return i }
            i += 1
        }
        scanIndex = end
        return nil
    }

    /// Adds one line to the reply being assembled; returns the reply after its last line.
    private mutating func consume(line: ArraySlice<UInt8>) throws(Error) -> SMTPReply? {
        let start = line.startIndex
        guard line.count >= 3,
              let d0 = Self.digit(line[start]), (1...5).contains(d0),
              let d1 = Self.digit(line[start + 1]), let d2 = Self.digit(line[start + 2])
        else { throw .malformedLine(Self.printable(line)) }
        let code = d0 * 100 + d1 * 10 + d2
        var isLast = true
        var text = line[(start + 3)...]
        if let sep = text.first {
            switch sep {
            case UInt8(ascii: " "): isLast = true
            case UInt8(ascii: "-"): isLast = false
            default: throw .malformedLine(Self.printable(line))
            }
            text = text.dropFirst()
        }
        if let first = lines.first, first.code != code {
            throw .inconsistentCode(expected: first.code, found: code)
        }
        guard lines.count < maxLines else { throw .tooManyLines(limit: maxLines) }
        lines.append((code, Array(text)))  // copied: a slice would pin `buffer`
        guard isLast else { return nil }
        defer { lines.removeAll(keepingCapacity: true) }
        return Self.makeReply(code: code, lines: lines)
    }

    /// Splits off the RFC 3463 enhanced status code when the first line starts with one
    /// whose class matches the reply code; later lines lose the same leading token.
    private static func makeReply(code: Int, lines: [(code: Int, text: [UInt8])]) -> SMTPReply {
        let enhanced = lines.first.flatMap { enhancedCode(in: $0.text[...], replyClass: code / 100) }
        let texts = lines.map { line -> String in
            var text = line.text[...]
            if enhanced != nil, let token = enhancedCode(in: text, replyClass: code / 100) {
                text = text.dropFirst(token.utf8.count)
                if text.first == UInt8(ascii: " ") { text = text.dropFirst() }
            }
            return String(decoding: text, as: UTF8.self)
        }
        return SMTPReply(code: code, enhanced: enhanced, lines: texts)
    }

    /// `class "." subject "." detail` (RFC 3463 §2: 1–3 digits each) at the start of
    /// `text`, followed by a space or the end, with class equal to the reply's first digit.
    static func enhancedCode(in text: ArraySlice<UInt8>, replyClass: Int) -> String? {
        let tokenEnd = text.firstIndex(of: UInt8(ascii: " ")) ?? text.endIndex
        let token = text[text.startIndex..<tokenEnd]
        let parts = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 1, let cls = digit(parts[0].first!),
              cls == replyClass, [2, 4, 5].contains(cls) else { return nil }
        for part in parts[1...] {
            guard (1...3).contains(part.count), part.allSatisfy({ digit($0) != nil }) else { return nil }
        }
        return String(decoding: token, as: UTF8.self)
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (48...57).contains(byte) ? Int(byte - 48) : nil
    }

    /// The line for an error message: at most 100 bytes, decoded leniently.
    private static func printable(_ line: ArraySlice<UInt8>) -> String {
        String(decoding: line.prefix(100), as: UTF8.self)
    }

    private mutating func compactIfWorthwhile() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
            scanIndex = 0
        } else if readIndex >= 4096 && readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
            scanIndex -= readIndex
            readIndex = 0
        }
    }
}
