/// Splits a byte stream into lines for line-based protocols (POP3; SMTP has its own, with
/// DATA): a line ends at LF, a CR before it is dropped, and a line longer than its limit
/// is reported once and skipped up to its end, so a flood of bytes never grows the buffer
/// past the limit. Only the bytes of one line are kept; where the last scan stopped is
/// remembered, so a line fed a byte at a time is not rescanned.
public struct LineFramer: Sendable {
    public enum Event: Sendable, Equatable {
        case line(ArraySlice<UInt8>)
        /// A line went past the limit; its bytes up to the next LF are dropped.
        case lineTooLong
    }

    private var buffer: [UInt8] = []
    private var scanned = 0
    private var skippingOverlong = false

    public init() {}

    /// Bytes received and not yet given out as lines.
    public var bufferedByteCount: Int { buffer.count }

    public mutating func feed(_ bytes: some Collection<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete line, if any; `limit` counts the line without its line end.
    public mutating func next(limit: Int) -> Event? {
        while true {
            guard let end = buffer[scanned...].firstIndex(of: 10) else {
                scanned = buffer.count
                if !skippingOverlong && buffer.count > limit + 1 {
                    skippingOverlong = true
                    buffer.removeAll(keepingCapacity: true)
                    scanned = 0
                    return .lineTooLong
                }
                if skippingOverlong {
                    buffer.removeAll(keepingCapacity: true)
                    scanned = 0
                }
                return nil
            }
            var line = buffer[..<end]
            if line.last == 13 { line = line.dropLast() }
            let result = Array(line)
            buffer.removeSubrange(...end)
            scanned = 0
            if skippingOverlong {
                skippingOverlong = false
                continue
            }
            if result.count > limit { return .lineTooLong }
            return .line(result[...])
        }
    }

    /// Forgets what is buffered: after a switch to TLS, bytes that came in the clear are
    /// not the client's (RFC 2595 §4, as RFC 3207 §5 for SMTP).
    public mutating func discardBuffered() {
        buffer.removeAll()
        scanned = 0
        skippingOverlong = false
    }
}
