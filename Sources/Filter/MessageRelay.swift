import MoatCore
import SMTP

/// Where passed mail, DSNs and notices go next: Postfix's re-injection port in gateway
/// mode. A protocol so the decision logic can be tested without a socket.
public protocol MessageRelay: Sendable {
    /// Sends one message; throws when the next hop could not be reached or broke off.
    func relay(envelope: Envelope, message: [UInt8]) async throws -> SMTPDeliveryResult
    /// `smtp:[127.0.0.1]:10025`, for reply texts and logs.
    var name: String { get }
}
