/// Queue IDs in the spirit of Postfix's long queue IDs: the arrival time in microseconds
/// followed by random characters, so IDs sort roughly by arrival and stay unique across
/// processes without coordination. Only `0-9A-Z`: safe as a file name on case-insensitive
/// file systems and as a CLI argument (never starts with `-`).
public enum QueueID {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
    private static let randomCount = 5

    /// A new ID for a message arriving at `time` (Unix seconds): 10 base-36 time
    /// characters until the year 2084, then 11, plus 5 random ones (60 million per microsecond).
    public static func generate(time: Double) -> String {
        var microseconds = UInt64(max(0, time * 1_000_000))
        var timePart: [UInt8] = []
        repeat {
            timePart.append(alphabet[Int(microseconds % 36)])
            microseconds /= 36
        } while microseconds > 0
        var generator = SystemRandomNumberGenerator()
        var id = Array(timePart.reversed())
        for _ in 0..<randomCount { id.append(alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))]) }
        return String(decoding: id, as: UTF8.self)
    }

    /// True for a string that could be a queue ID: the guard before an ID given on the
    /// command line becomes part of a path.
    public static func isWellFormed(_ id: String) -> Bool {
        (8...32).contains(id.utf8.count) && id.utf8.allSatisfy { alphabet.contains($0) }
    }
}
