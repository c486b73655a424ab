import MIME

/// SpamAssassin's Generic Test for Unsolicited Bulk Email: a message containing the
/// GTUBE string scores 1000, so every spam path can be tested end to end.
public struct GTUBECheck: SpamChecker {
    public static let marker = Array("XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X".utf8)
    public static let hit = SpamVerdict.Hit(name: "GTUBE", score: 1000,
                                            description: "Generic Test for Unsolicited Bulk Email")

    public init() {}

    public func check(_ message: MIMEMessage, envelopeSender: String?) async throws -> SpamVerdict {
        Self.contains(message.bytes) ? SpamVerdict(hits: [Self.hit]) : .empty
    }

    /// A search over the raw bytes: SpamAssassin matches GTUBE in the body, and a header
    /// hit is as good a test signal for us. The marker's first byte is rare, so a
    /// first-byte scan with a full compare on candidates is linear in practice.
    public static func contains(_ message: [UInt8]) -> Bool {
        let needle = marker
        guard message.count >= needle.count else { return false }
        return message.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                let first = pin[0]
                var i = 0
                let last = hay.count - pin.count
                while i <= last {
                    if hay[i] == first {
                        var j = 1
                        while j < pin.count && hay[i + j] == pin[j] { j += 1 }
                        if j == pin.count { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }
}
