/// One message of the maildrop as POP3 shows it: its unique id and its size.
public struct POP3Listing: Sendable, Equatable {
    /// The UIDL (RFC 1939 §7: 1 to 70 characters 0x21–0x7E), stable across sessions.
    public var uidl: String
    /// Octets with CRLF line ends (`POP3Response.size(of:)`).
    public var size: Int

    public init(uidl: String, size: Int) {
        self.uidl = uidl
        self.size = size
    }
}
