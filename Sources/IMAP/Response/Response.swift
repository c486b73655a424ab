/// Everything the server sends: `response = *(continue-req / response-data) response-done`
/// (RFC 9051 §9). `ResponseEncoder` turns each into bytes.
public enum Response: Hashable, Sendable {
    case tagged(TaggedResponse)
    case untagged(UntaggedResponse)
    case continuation(ContinuationRequest)
}
