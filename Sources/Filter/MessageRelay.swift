import MoatCore
import SMTP

/// Where passed mail, DSNs and notices go next: Postfix's re-injection port in gateway
/// mode, the durable queue in the MX. A protocol so the decision logic can be tested
/// without a socket.
public protocol MessageRelay: Sendable {
    /// Sends one message; throws when the next hop could not be reached or broke off.
    /// - Parameter junk: the message is spam at tag2 level for these recipients (the MX
    ///   files it in their Junk folder; re-injection has no use for it).
    func relay(envelope: Envelope, message: [UInt8], junk: Bool) async throws -> SMTPDeliveryResult
    /// `smtp:[127.0.0.1]:10025`, for reply texts and logs.
    var name: String { get }
}

extension MessageRelay {
    /// DSNs and notices: never junk.
    public func relay(envelope: Envelope, message: [UInt8]) async throws -> SMTPDeliveryResult {
        try await relay(envelope: envelope, message: message, junk: false)
    }
}
