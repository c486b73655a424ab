/// Everything the server sends: `response = *(continue-req / response-data) response-done`
/// (RFC 9051 §9). `ResponseEncoder` turns each into bytes.
public enum Response: Hashable, Sendable {
    case tagged(TaggedResponse)
    case untagged(UntaggedResponse)
    case continuation(ContinuationRequest)
}

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

/// `continue-req = "+" SP (resp-text / base64) CRLF`
public enum ContinuationRequest: Hashable, Sendable {
    /// `+ Ready for literal data`, or for IDLE `+ idling`.
    case text(String)
    /// A SASL challenge, sent base64-encoded (empty is `+ `).
    case challenge([UInt8])
}
