/// RFC 5322 §2.1.1's hard limit on a line of a message: 998 octets before the CRLF. Every
/// header field Moat writes passes through `HeaderFolding.bounded` (Notices), or, for the
/// quarantine's envelope block, through `cut` here, so none exceeds it whatever a peer sent.
public enum HeaderLineLimit {
    /// Octets per line, CRLF excluded.
    public static let octets = 998

    /// `bytes` in pieces of at most `first` octets for the first and `rest` octets for each
    /// other; one piece when it fits. A cut never falls inside a UTF-8 sequence (it moves
    /// back over continuation bytes), so text stays decodable.
    public static func cut(_ bytes: ArraySlice<UInt8>, first: Int, rest: Int) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var remaining = bytes
        var limit = max(4, first)
        while remaining.count > limit {
            var end = remaining.startIndex + limit
            // At most three continuation bytes follow a lead byte.
            var back = 0
            while back < 3, end > remaining.startIndex + 1, isContinuation(remaining[end]) {
                end -= 1
                back += 1
            }
            pieces.append(remaining[..<end])
            remaining = remaining[end...]
            limit = max(4, rest)
        }
        pieces.append(remaining)
        return pieces
    }

    /// 10xxxxxx: the second to fourth byte of a UTF-8 sequence.
    private static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}
