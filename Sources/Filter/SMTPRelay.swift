import Logging
import MoatCore
import SMTP

/// Re-injection over SMTP/LMTP to the configured next hop (Postfix's 127.0.0.1:10025).
public struct SMTPRelay: MessageRelay {
    public let endpoint: SMTPEndpoint
    public let options: SMTPClientOptions
    private let logger: Logger

    public init(endpoint: SMTPEndpoint, heloName: String, logger: Logger) {
        self.endpoint = endpoint
        self.options = SMTPClientOptions(heloName: heloName, lmtp: endpoint.lmtp)
        self.logger = logger
    }

    public var name: String { "\(endpoint.lmtp ? "lmtp" : "smtp"):[\(endpoint.host)]:\(endpoint.port)" }

    public func relay(envelope: Envelope, message: [UInt8], junk: Bool) async throws -> SMTPDeliveryResult {
        var options = self.options
        // Declare 8-bit content (RFC 6152) only when there is some.
        options.eightBitMIME = message.contains { $0 >= 0x80 }
        return try await SMTPClient.deliver(to: endpoint, envelope: envelope, message: message,
                                            options: options, logger: logger)
    }
}
