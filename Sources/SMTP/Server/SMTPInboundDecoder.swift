/// Splits the inbound byte stream into what the session consumes: command lines, or, after
/// DATA was accepted, the message up to the lone `.` with dot-stuffing removed
/// (RFC 5321 §4.5.2). Sans-I/O: bytes in, events out, nothing else.
///
/// Lines end at LF (a preceding CR is dropped), because real clients send bare LF and
/// Postfix accepts it too. Input is bounded: a command line longer than `maxLineLength`
/// is discarded up to its end and reported once; message bytes past `maxMessageSize`
/// are counted but not kept, so the client can finish and then get 552.
public struct SMTPInboundDecoder: Sendable {
    public enum Event: Sendable, Equatable {
        case line([UInt8])
        case lineTooLong
        /// The end-of-data marker arrived. `bytes` is nil when the message exceeded the limit.
        case message(bytes: [UInt8]?, size: Int)
    }

    public var maxLineLength: Int
    public var maxMessageSize: Int
    /// End the message only at `<CR><LF>.<CR><LF>` (Postfix 3.9's
    /// `smtpd_forbid_bare_newline = normalize`): a bare-LF `.` line is content, so a
    /// message cannot smuggle a second one past a peer that reads line ends differently
    /// (SMTP smuggling, CVE-2023-51764). Bare LF still ends lines everywhere else.
    public var requireCRLFEndOfData: Bool
    private var buffer: [UInt8] = []
    private var scanFrom = 0
    private var discardingLongLine = false
    private var inData = false
    private var message: [UInt8] = []
    private var messageSize = 0
    /// False once the session's memory budget refused the message: it is read, not kept.
    private var keepsMessage = true
    private var atLineStart = true
    /// The message line before the current one ended in CR LF (true at the start).
    private var previousLineEndedCRLF = true
    private var lastAppendedByte: UInt8 = 0

    public init(maxLineLength: Int = 2048, maxMessageSize: Int, requireCRLFEndOfData: Bool = false) {
        self.maxLineLength = maxLineLength
        self.maxMessageSize = maxMessageSize
        self.requireCRLFEndOfData = requireCRLFEndOfData
    }

    /// Switches to message mode after `354`. Bytes already buffered (a pipelining client
    /// may send the message right behind DATA) are treated as message bytes. `prefix`
    /// (a trace header) starts the message; it does not count toward `maxMessageSize`.
    public mutating func beginData(prefix: [UInt8] = []) {
        inData = true
        message = prefix
        message.reserveCapacity(prefix.count + min(maxMessageSize, 1 << 20))
        messageSize = 0
        keepsMessage = true
        atLineStart = true
        previousLineEndedCRLF = true
        scanFrom = 0
    }

    /// Message bytes kept so far (what the memory budget must cover).
    public var heldMessageBytes: Int { message.count }

    /// Reads the rest of the message without keeping it; it ends with `bytes: nil`.
    public mutating func stopKeepingMessage() {
        keepsMessage = false
        message = []
    }

    /// Bytes received but not yet consumed (used to refuse pipelined input after STARTTLS).
    public var bufferedByteCount: Int { buffer.count }

    public mutating func discardBuffered() {
        buffer.removeAll(keepingCapacity: true)
        scanFrom = 0
    }

    /// Buffers received bytes; `next()` then yields the events they complete, one at a
    /// time, so the session can switch to message mode between two of them.
    public mutating func feed(_ bytes: some Collection<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete event in the buffered input, or nil when more bytes are needed.
    public mutating func next() -> Event? {
        inData ? nextDataEvent() : nextLineEvent()
    }

    private mutating func nextLineEvent() -> Event? {
        while true {
            guard let lf = buffer[scanFrom...].firstIndex(of: 0x0A) else {
                if buffer.count > maxLineLength + 1 { // room for the CR before its LF
                    // Keep nothing of an over-long line; remember to drop its tail.
                    let wasDiscarding = discardingLongLine
                    buffer.removeAll(keepingCapacity: true)
                    scanFrom = 0
                    discardingLongLine = true
                    if !wasDiscarding { return .lineTooLong }
                } else {
                    scanFrom = buffer.count
                }
                return nil
            }
            var end = lf
            if end > 0 && buffer[end - 1] == 0x0D { end -= 1 }
            let line = Array(buffer[0..<end])
            buffer.removeSubrange(0...lf)
            scanFrom = 0
            if discardingLongLine {
                discardingLongLine = false
                continue
            }
            if line.count > maxLineLength { return .lineTooLong }
            return .line(line)
        }
    }

    private mutating func nextDataEvent() -> Event? {
        var consumed = 0
        defer {
            if consumed > 0 { buffer.removeSubrange(0..<consumed) }
        }
        let count = buffer.count
        while consumed < count {
            if atLineStart {
                // Need the first bytes of a line to recognise `.`, `..` or `.CRLF`.
                if buffer[consumed] == UInt8(ascii: ".") {
                    guard consumed + 1 < count else { return nil }
                    let next = buffer[consumed + 1]
                    let bareLF = next == 0x0A
                    let crlf = next == 0x0D && consumed + 2 < count && buffer[consumed + 2] == 0x0A
                    let ends = requireCRLFEndOfData ? crlf && previousLineEndedCRLF : bareLF || crlf
                    if ends {
                        consumed += bareLF ? 2 : 3
                        return finishMessage()
                    }
                    if next == 0x0D && consumed + 2 >= count { return nil }
                    consumed += 1 // dot-stuffing: drop the leading dot
                }
                atLineStart = false
            }
            let lineEnd = buffer.firstIndex(of: 0x0A, in: consumed..<count)
            let stop = lineEnd.map { $0 + 1 } ?? count
            if let lineEnd {
                previousLineEndedCRLF = (lineEnd > consumed ? buffer[lineEnd - 1] : lastAppendedByte) == 0x0D
            }
            append(buffer[consumed..<stop])
            consumed = stop
            if lineEnd != nil { atLineStart = true }
        }
        return nil
    }

    private mutating func append(_ bytes: ArraySlice<UInt8>) {
        if let last = bytes.last { lastAppendedByte = last }
        messageSize += bytes.count
        if keepsMessage && (messageSize <= maxMessageSize || maxMessageSize == 0) {
            message.append(contentsOf: bytes)
        } else if !message.isEmpty {
            message = []
        }
    }

    private mutating func finishMessage() -> Event {
        inData = false
        atLineStart = true
        let size = messageSize
        let tooLarge = maxMessageSize > 0 && size > maxMessageSize
        let bytes = tooLarge || !keepsMessage ? nil : message
        message = []
        messageSize = 0
        return .message(bytes: bytes, size: size)
    }
}
