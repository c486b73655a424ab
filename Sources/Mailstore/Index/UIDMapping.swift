/// One message copied or moved: its UID in the source and in the destination, for the
/// UIDPLUS `COPYUID` response code (RFC 4315 §3).
public struct UIDMapping: Sendable, Hashable {
    public var source: MessageUID
    public var destination: MessageUID

    public init(source: MessageUID, destination: MessageUID) {
        self.source = source
        self.destination = destination
    }
}
