/// One complete client command with the tag its reply must carry.
public struct TaggedCommand: Hashable, Sendable {
    public var tag: Tag
    public var command: Command

    public init(tag: Tag, command: Command) {
        self.tag = tag
        self.command = command
    }
}
