import Foundation

/// One release of a quarantined message, as the index records it: when, by whom, to whom,
/// and by which route (`reinject 127.0.0.1:10025`, `queue`).
public struct QuarantineRelease: Sendable, Codable, Equatable {
    public var mailID: String
    public var time: Date
    /// The login name of whoever released it.
    public var releasedBy: String
    public var recipients: [String]
    public var route: String

    public init(mailID: String, time: Date, releasedBy: String, recipients: [String], route: String) {
        self.mailID = mailID
        self.time = time
        self.releasedBy = releasedBy
        self.recipients = recipients
        self.route = route
    }
}

/// Where a quarantined message came from, which decides where a release sends it.
public enum QuarantineOrigin: String, Sendable, Codable, Equatable {
    /// Behind Postfix (content_filter): released to the re-injection port.
    case gateway
    /// Moat's own MX: released into Moat's queue.
    case mx
}
