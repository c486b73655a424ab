/// What one listener's sessions allow and advertise.
public struct SMTPServerSettings: Sendable {
    /// Our name in the greeting, EHLO reply and Received header.
    public var hostname: String
    /// Speak LMTP (RFC 2033): LHLO, and one reply per recipient after the data.
    public var lmtp: Bool
    /// 0 = unlimited; otherwise advertised as SIZE and enforced (552 5.3.4).
    public var maxMessageSize: Int
    public var maxRecipients: Int
    /// Command lines longer than this get 500 5.5.2 (Postfix `line_length_limit` is 2048).
    public var maxLineLength: Int
    /// Errors before 421 and hang-up (Postfix `smtpd_hard_error_limit`).
    public var hardErrorLimit: Int
    /// Accept Postfix's XFORWARD (only ever on a listener that trusts its clients).
    public var acceptXForward: Bool

    public init(hostname: String, lmtp: Bool = false, maxMessageSize: Int = 100 << 20,
                maxRecipients: Int = 1000, maxLineLength: Int = 2048, hardErrorLimit: Int = 20,
                acceptXForward: Bool = true) {
        self.hostname = hostname
        self.lmtp = lmtp
        self.maxMessageSize = maxMessageSize
        self.maxRecipients = maxRecipients
        self.maxLineLength = maxLineLength
        self.hardErrorLimit = hardErrorLimit
        self.acceptXForward = acceptXForward
    }
}
