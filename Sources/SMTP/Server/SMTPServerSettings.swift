/// What one listener's sessions allow and advertise.
public struct SMTPServerSettings: Sendable {
    /// Our name in the greeting, EHLO reply and Received header.
    public var hostname: String
    /// The greeting text after `220` (Postfix `smtpd_banner`); nil = `<hostname> ESMTP`.
    public var banner: String?
    /// Speak LMTP (RFC 2033): LHLO, and one reply per recipient after the data.
    public var lmtp: Bool
    /// 0 = unlimited; otherwise advertised as SIZE and enforced (552 5.3.4).
    public var maxMessageSize: Int
    public var maxRecipients: Int
    /// Command lines longer than this get 500 5.5.2 (Postfix `line_length_limit` is 2048).
    public var maxLineLength: Int
    /// Errors after which each error reply is delayed (Postfix `smtpd_soft_error_limit`).
    public var softErrorLimit: Int
    /// Errors before 421 and hang-up (Postfix `smtpd_hard_error_limit`).
    public var hardErrorLimit: Int
    /// Accept Postfix's XFORWARD (only ever on a listener that trusts its clients).
    public var acceptXForward: Bool
    /// MAIL needs a HELO/EHLO first (Postfix `smtpd_helo_required`).
    public var heloRequired: Bool
    /// Advertise and accept STARTTLS; `SMTPServer.bind` sets it from the TLS context it gets.
    public var offersSTARTTLS: Bool
    /// Ask the connection's policy about each RCPT and DATA (the MX); off, every syntactically
    /// valid recipient is taken (the filter behind Postfix).
    public var checksPolicy: Bool
    /// The domain a bare `RCPT TO:<postmaster>` is qualified with (Postfix appends
    /// `$myorigin`); nil = `hostname`.
    public var postmasterDomain: String?

    public init(hostname: String, banner: String? = nil, lmtp: Bool = false, maxMessageSize: Int = 100 << 20,
                maxRecipients: Int = 1000, maxLineLength: Int = 2048, softErrorLimit: Int = 10,
                hardErrorLimit: Int = 20, acceptXForward: Bool = true, heloRequired: Bool = false,
                offersSTARTTLS: Bool = false, checksPolicy: Bool = false, postmasterDomain: String? = nil) {
        self.hostname = hostname
        self.banner = banner
        self.lmtp = lmtp
        self.maxMessageSize = maxMessageSize
        self.maxRecipients = maxRecipients
        self.maxLineLength = maxLineLength
        self.softErrorLimit = softErrorLimit
        self.hardErrorLimit = hardErrorLimit
        self.acceptXForward = acceptXForward
        self.heloRequired = heloRequired
        self.offersSTARTTLS = offersSTARTTLS
        self.checksPolicy = checksPolicy
        self.postmasterDomain = postmasterDomain
    }
}
