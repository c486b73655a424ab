import IMAP

/// Why BINARY[part] (RFC 3516) cannot be answered.
public enum BinaryFetchError: Error, Hashable, Sendable {
    /// A Content-Transfer-Encoding the server cannot undo (in the part or a part inside
    /// it); the server answers `NO [UNKNOWN-CTE]` (RFC 3516 §4.1).
    case unknownTransferEncoding(part: [Int], encoding: String)
    /// Base64 or quoted-printable data that does not decode (a byte outside the alphabet,
    /// data after the padding, `=` not followed by two hex digits); the server answers
    /// `NO [PARSE]`, as Dovecot does.
    case undecodable(part: [Int], encoding: String)
}

extension BinaryFetchError {
    /// The code of the tagged NO that answers the FETCH (RFC 3516 §4.1 for UNKNOWN-CTE).
    public var responseCode: ResponseCode {
        switch self {
        case .unknownTransferEncoding: return .unknownCTE
        case .undecodable: return .parse
        }
    }

    /// The human text of that NO, as Dovecot words it.
    public var responseText: String {
        switch self {
        case .unknownTransferEncoding: return "Unknown Content-Transfer-Encoding"
        case .undecodable: return "Invalid data in MIME part"
        }
    }
}
