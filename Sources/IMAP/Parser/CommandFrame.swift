/// The bytes of one command as it is assembled: its lines without their CR LF, with each
/// literal's bytes right after the `}` that announced it. `literalStarts` records where the
/// framer put literal bytes, so the grammar never reads a `{n}` inside a line as a literal.
struct CommandFrame: Sendable {
    var bytes: [UInt8] = []
    var literalStarts: Set<Int> = []
    /// Where the line being read starts in `bytes`.
    var lineStart = 0
    /// Bytes outside literals, for `maxLineLength`.
    var lineBytes = 0
    /// Bytes inside literals, for `maxCommandSize`.
    var literalBytes = 0

    var currentLine: ArraySlice<UInt8> { bytes[lineStart...] }

    mutating func reset() { self = CommandFrame() }

    /// The tag and command name at the start of the frame, as far as they are readable.
    var head: (tag: Tag?, commandName: String?) {
        let words = bytes.prefix(64).split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        guard let first = words.first, !first.isEmpty, first.allSatisfy(IMAPCharacter.isTagChar) else { return (nil, nil) }
        let tag = Tag(Array(first))
        guard words.count > 1, !words[1].isEmpty, words[1].allSatisfy(IMAPCharacter.isAtomChar) else { return (tag, nil) }
        return (tag, String(decoding: words[1], as: UTF8.self).uppercased())
    }
}
