/// What a client sends for a SASL step (RFC 9051 §6.2.2): decoded base64 data, or `*` to
/// cancel the exchange. An SASL-IR initial response of `=` (RFC 4959) is empty data.
public enum AuthenticationResponse: Hashable, Sendable {
    case data([UInt8])
    case cancel
}
