/// The lines that are not commands: the `DONE` that ends IDLE (RFC 2177) and the client's
/// side of an AUTHENTICATE exchange (RFC 9051 §6.2.2).
extension CommandParser {
    /// `idle-done = "DONE" CRLF`, case-insensitive; `line` is without CR LF.
    public static func parseIdleDone(_ line: ArraySlice<UInt8>) throws(CommandParseError) {
        guard line.count == 4, line.map({ $0 & 0xDF }) == Array("DONE".utf8) else {
            throw CommandParseError(tag: nil, kind: .syntax, message: "Expected DONE")
        }
    }

    /// `authenticate` continuation: `base64 / "*"` (`*` cancels); `line` is without CR LF.
    /// An empty line is an empty response.
    public static func parseAuthenticationLine(_ line: ArraySlice<UInt8>) throws(CommandParseError) -> AuthenticationResponse {
        if line.elementsEqual([UInt8(ascii: "*")]) { return .cancel }
        guard let decoded = Base64.decode(line) else {
            throw CommandParseError(tag: nil, kind: .syntax, message: "Invalid base64 data")
        }
        return .data(decoded)
    }
}
