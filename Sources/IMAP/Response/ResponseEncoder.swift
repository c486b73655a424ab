/// Turns `Response` values into the bytes of RFC 9051 §7, each ending in CR LF.
///
/// Strings go out in the cheapest form the grammar allows at that position: an atom where
/// `astring` is allowed and the bytes are atom characters; a quoted string when every byte
/// is a `QUOTED-CHAR` (with UTF-8 only once the client enabled UTF8=ACCEPT); a literal
/// otherwise (CR, LF, NUL-free 8-bit data, very long values). Absent values are `NIL`.
public struct ResponseEncoder: Sendable {
    public struct Options: Hashable, Sendable {
        /// RFC 6855 UTF8=ACCEPT was enabled: quoted strings may carry UTF-8.
        public var utf8Accepted: Bool
        /// Strings longer than this go out as literals even when they could be quoted.
        public var maxQuotedLength: Int

        public init(utf8Accepted: Bool = false, maxQuotedLength: Int = 1024) {
            self.utf8Accepted = utf8Accepted
            self.maxQuotedLength = maxQuotedLength
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// The bytes of one response.
    public func encode(_ response: Response) -> [UInt8] {
        var writer = ResponseWriter(options: options)
        writer.write(response)
        return writer.bytes
    }

    /// Appends the bytes of one response to `output`.
    public func encode(_ response: Response, into output: inout [UInt8]) {
        var writer = ResponseWriter(options: options)
        swap(&writer.bytes, &output)
        writer.write(response)
        swap(&writer.bytes, &output)
    }
}
