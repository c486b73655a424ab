/// Splits the inbound byte stream into what the session consumes: command lines, or, after
/// DATA was accepted, the message up to the lone `.` with dot-stuffing removed
/// (RFC 5321 §4.5.2). Sans-I/O: bytes in, events out, nothing else.
///
/// Command lines end at LF (a preceding CR is dropped), because real clients send bare LF and
/// Postfix accepts it too. Message content follows Postfix 3.9 (`smtpd_forbid_bare_newline =
/// normalize`, `cleanup_replace_stray_cr_lf = yes`) on every listener alike:
/// - the message ends only at `<CR><LF>.<CR><LF>`: `<LF>.<LF>`, `<CR><LF>.<LF>`,
///   `<LF>.<CR><LF>` and `<CR>.<CR>` are content, so one message cannot smuggle a second
///   one past a peer that reads line ends differently (SMTP smuggling, CVE-2023-51764);
/// - a content line ending in bare LF is stored ending in CR LF, and a CR not followed by LF
///   becomes a space, so what we pass on (re-injection, relay) holds only CR LF line ends
///   and cannot carry a smuggling sequence to the next hop.
///
/// Input is bounded: a command line longer than `maxLineLength` is discarded up to its end
/// and reported once; message bytes past `maxMessageSize` are counted but not kept, so the
/// client can finish and then get 552.
public struct SMTPInboundDecoder: Sendable {
    public enum Event: Sendable, Equatable {
        case line([UInt8])
        case lineTooLong
        /// The end-of-data marker arrived. `bytes` is nil when the message exceeded the limit.
        case message(bytes: [UInt8]?, size: Int)
    }

    public var maxLineLength: Int
    public var maxMessageSize: Int
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

    public init(maxLineLength: Int = 2048, maxMessageSize: Int) {
        self.maxLineLength = maxLineLength
        self.maxMessageSize = maxMessageSize
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

    /// Between `beginData` and the end-of-data marker.
    public var isReceivingMessage: Bool { inData }

    /// Message bytes taken so far in the current DATA (after normalising), for the
    /// minimum data rate; 0 outside DATA.
    public var messageBytesSoFar: Int { inData ? messageSize : 0 }

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
            guard let lf = buffer.firstIndex(of: Self.lf, in: scanFrom..<buffer.count) else {
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
                    if buffer[consumed + 1] == Self.cr {
                        guard consumed + 2 < count else { return nil }
                        if buffer[consumed + 2] == Self.lf && previousLineEndedCRLF {
                            consumed += 3
                            return finishMessage()
                        }
                    }
                    consumed += 1 // dot-stuffing (or a bare-LF dot line): drop the leading dot
                }
                atLineStart = false
            }
            guard let lf = buffer.firstIndex(of: Self.lf, in: consumed..<count) else {
                // A CR last in the buffer may be half of a CR LF: decide when its next byte comes.
                let stop = buffer[count - 1] == Self.cr ? count - 1 : count
                appendContent(consumed..<stop)
                consumed = stop
                return nil
            }
            let endedCRLF = lf > consumed && buffer[lf - 1] == Self.cr
            let contentEnd = endedCRLF ? lf - 1 : lf
            if endedCRLF && buffer.firstIndex(of: Self.cr, in: consumed..<contentEnd) == nil {
                append(buffer[consumed...lf]) // the usual line: kept as it came, in one copy
            } else {
                appendContent(consumed..<contentEnd)
                append(Self.crlf[...])
            }
            previousLineEndedCRLF = endedCRLF
            consumed = lf + 1
            atLineStart = true
        }
        return nil
    }

    private static let cr: UInt8 = 0x0D
    private static let lf: UInt8 = 0x0A
    private static let crlf: [UInt8] = [cr, lf]

    /// Line content (buffered bytes in `range`) without its end: a stray CR becomes a
    /// space (Postfix's `cleanup_replace_stray_cr_lf`).
    private mutating func appendContent(_ range: Range<Int>) {
        guard buffer.firstIndex(of: Self.cr, in: range) != nil else { return append(buffer[range]) }
        append(buffer[range].map { $0 == Self.cr ? UInt8(ascii: " ") : $0 }[...])
    }

    private mutating func append(_ bytes: ArraySlice<UInt8>) {
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
