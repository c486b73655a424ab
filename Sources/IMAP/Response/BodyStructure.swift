/// `body = "(" (body-type-1part / body-type-mpart) ")"` (RFC 3501 §7.4.2, RFC 9051 §9).
/// The server builds it from its MIME parse; this codec only writes it.
public indirect enum BodyStructure: Hashable, Sendable {
    case singlePart(SinglePartBody)
    case multipart(MultipartBody)
}
