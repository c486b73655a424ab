/// Why a lookup gave no answer. NXDOMAIN and NODATA are not errors (they are an empty
/// answer); these are the cases where the question could not be answered at all.
public enum DNSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No answer within the per-query timeout.
    case timeout(String)
    /// The server answered SERVFAIL (or libunbound gave up on every server).
    case servfail(String)
    /// Any other failure: a DNS rcode (REFUSED = 5, …) or a libunbound error (negative codes).
    case other(code: Int, text: String)

    public var description: String {
        switch self {
        case .timeout(let name): "DNS timeout for \(name)"
        case .servfail(let name): "DNS SERVFAIL for \(name)"
        case .other(let code, let text): "DNS error \(code): \(text)"
        }
    }

    /// Text for a DNS rcode (RFC 1035 4.1.1, RFC 6895).
    static func rcodeName(_ rcode: Int) -> String {
        switch rcode {
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        default: "RCODE\(rcode)"
        }
    }
}
