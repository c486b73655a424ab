// SMTPClientOptions - knobs of one delivery attempt. Timeout defaults follow Postfix's
// smtp_*_timeout parameters (postconf(5)).

import NIOCore
import NIOPosix

public struct SMTPClientOptions: Sendable {
    /// Our name in EHLO/LHLO/HELO (Postfix: smtp_helo_name = $myhostname).
    public var heloName: String
    /// Speak LMTP instead of SMTP.
    public var lmtp: Bool
    /// TCP connection set-up (smtp_connect_timeout = 30s).
    public var connectTimeout: Duration
    /// Each reply to greeting, EHLO, XFORWARD, MAIL, RCPT, DATA (smtp_*_timeout = 300s).
    public var commandTimeout: Duration
    /// Write progress while sending the message, per chunk (smtp_data_xfer_timeout = 180s).
    public var dataTransferTimeout: Duration
    /// The reply to the final dot (smtp_data_done_timeout = 600s).
    public var dataDoneTimeout: Duration
    /// The reply to QUIT; the outcome is known by then, so this only bounds the wait.
    public var quitTimeout: Duration
    /// Ask for BODY=8BITMIME when the server offers it.
    public var eightBitMIME: Bool
    /// Use PIPELINING / XFORWARD when offered.
    public var usePipelining: Bool
    public var useXForward: Bool
    /// Use STARTTLS when the server offers it, with these settings; nil never does.
    /// A failed handshake throws `SMTPClientError.tlsFailed` (the connection is lost).
    public var tls: SMTPClientTLS?
    /// The server's name for SNI (the MX host name when connecting to its address);
    /// nil sends none. Address literals are never sent.
    public var tlsServerName: String?
    /// Limits for the reply parser.
    public var maxReplyLineLength: Int
    public var maxReplyLines: Int
    /// Bytes of message handed to the socket per write.
    public var writeChunkSize: Int
    public var eventLoopGroup: any EventLoopGroup

    public init(heloName: String = "localhost", lmtp: Bool = false,
                connectTimeout: Duration = .seconds(30), commandTimeout: Duration = .seconds(300),
                dataTransferTimeout: Duration = .seconds(180), dataDoneTimeout: Duration = .seconds(600),
                quitTimeout: Duration = .seconds(10), eightBitMIME: Bool = false,
                usePipelining: Bool = true, useXForward: Bool = true,
                maxReplyLineLength: Int = 4096, maxReplyLines: Int = 100,
                writeChunkSize: Int = 1 << 20, tls: SMTPClientTLS? = nil, tlsServerName: String? = nil,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.heloName = heloName
        self.lmtp = lmtp
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.dataTransferTimeout = dataTransferTimeout
        self.dataDoneTimeout = dataDoneTimeout
        self.quitTimeout = quitTimeout
        self.eightBitMIME = eightBitMIME
        self.usePipelining = usePipelining
        self.useXForward = useXForward
        self.maxReplyLineLength = maxReplyLineLength
        self.maxReplyLines = maxReplyLines
        self.writeChunkSize = writeChunkSize
        self.tls = tls
        self.tlsServerName = tlsServerName
        self.eventLoopGroup = eventLoopGroup
    }
}
