/// `address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"`. RFC 822 group
/// syntax is a start marker (host nil, mailbox the group name) and an end marker (all nil).
public struct EnvelopeAddress: Hashable, Sendable {
    public var name: [UInt8]?
    public var route: [UInt8]?
    public var mailbox: [UInt8]?
    public var host: [UInt8]?

    public init(name: [UInt8]?, route: [UInt8]? = nil, mailbox: [UInt8]?, host: [UInt8]?) {
        self.name = name
        self.route = route
        self.mailbox = mailbox
        self.host = host
    }

    /// The start of group `name` (RFC 3501 §7.4.2).
    public static func groupStart(_ name: [UInt8]) -> EnvelopeAddress { EnvelopeAddress(name: nil, mailbox: name, host: nil) }

    /// The end of a group.
    public static let groupEnd = EnvelopeAddress(name: nil, mailbox: nil, host: nil)
}
