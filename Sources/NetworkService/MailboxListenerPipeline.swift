import NIOCore
import NIOSSL

/// What an IMAP or POP3 connection's pipeline holds before the protocol sees a byte: TLS
/// from the first byte on the TLS port, the autologout timer with its farewell, and the
/// STARTTLS switch for the plain port.
public enum MailboxListenerPipeline {
    public static func configure(_ channel: any Channel, tls: NIOSSLContext?, implicitTLS: Bool, idleTimeout: TimeAmount,
                                 farewell: [UInt8]) throws {
        let sync = channel.pipeline.syncOperations
        if implicitTLS, let tls { try sync.addHandler(NIOSSLServerHandler(context: tls)) }
        try sync.addHandler(IdleStateHandler(readTimeout: idleTimeout, writeTimeout: idleTimeout))
        try sync.addHandler(IdleDisconnector(farewell: farewell))
        try sync.addHandler(WriteStallCloser())
        try sync.addHandler(StartTLSSwitch())
    }
}
