import Directory
import MoatCore
import Queue

/// One place a copy of the message must reach, after alias expansion of an envelope
/// recipient: a local mailbox, a remote address behind a next hop, or nowhere (with why).
enum Destination: Sendable, Hashable {
    /// Store into this mailbox; `recipient` is its `Delivered-To` (extension kept).
    case mailbox(LocalDelivery, recipient: EmailAddress)
    /// Send on by SMTP.
    case remote(EmailAddress, via: NextHop)
    /// Resolution found no destination: unknown user, alias expansion error, lookup failure.
    case failed(address: String, DeliveryFailure)

    /// What identifies one delivery: several envelope recipients or aliases that lead to
    /// the same mailbox (or remote address) share one copy, as Postfix delivers once.
    var key: DestinationKey {
        switch self {
        case .mailbox(let delivery, _): .maildir(delivery.maildir)
        case .remote(let address, let hop): .remote(address.description.lowercased(), hop)
        case .failed(let address, _): .failed(address)
        }
    }

    /// The address this destination stands for, for failure texts.
    var address: String {
        switch self {
        case .mailbox(_, let recipient): recipient.description
        case .remote(let address, _): address.description
        case .failed(let address, _): address
        }
    }
}

/// See `Destination.key`.
enum DestinationKey: Sendable, Hashable {
    case maildir(String)
    case remote(String, NextHop)
    case failed(String)
}
