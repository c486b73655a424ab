/// `response-tagged = tag SP resp-cond-state CRLF`
public struct TaggedResponse: Hashable, Sendable {
    public enum Status: String, Hashable, Sendable {
        case ok = "OK"
        case no = "NO"
        case bad = "BAD"
    }

    public var tag: Tag
    public var status: Status
    public var text: ResponseText

    public init(tag: Tag, status: Status, text: ResponseText) {
        self.tag = tag
        self.status = status
        self.text = text
    }
}
