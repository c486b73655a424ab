/// What the IMAP layer computed from a message once and keeps in the index so the next
/// FETCH ENVELOPE or BODYSTRUCTURE does not parse the file again. Opaque to the store:
/// it keeps the bytes as given (e.g. the encoded response) and drops them with the message.
public struct CachedMessageParts: Sendable, Hashable {
    public var envelope: [UInt8]?
    public var bodyStructure: [UInt8]?

    public init(envelope: [UInt8]? = nil, bodyStructure: [UInt8]? = nil) {
        self.envelope = envelope
        self.bodyStructure = bodyStructure
    }
}
