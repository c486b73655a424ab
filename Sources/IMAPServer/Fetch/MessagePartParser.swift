/// Splits a message into `MessagePart`s the way Dovecot's message parser does, so part
/// numbers, sizes and line counts agree with what Dovecot users' clients already cached:
///
/// - a delimiter line is any line starting with `--` and a boundary of an enclosing
///   multipart (prefix match, the longest boundary wins, the newest on a tie); it closes
///   every part opened since that multipart;
/// - the line break before a delimiter belongs to the delimiter (even the blank line that
///   ends a header), unless the line before was itself a delimiter line;
/// - a multipart's boundary takes effect only at the blank line ending its header;
/// - `Content-*` fields count only in a MIME header (MIME-Version or Content-Type, or a
///   multipart's child); a part without a type is text/plain, or message/rfc822 in a digest.
///
/// One pass, no recursion; nesting and part count are capped as Dovecot 2.3 caps them.
struct MessagePartParser {
    private let bytes: [UInt8]
    private var parts: [MessagePart] = []
    private var boundaries: [(part: Int, text: [UInt8])] = []
    private var position = 0

    /// Dovecot's `MESSAGE_PARSER_DEFAULT_MAX_NESTED_MIME_PARTS`: a part at depth 99 does
    /// not open.
    static let maxDepth = 100
    /// Dovecot's `MESSAGE_PARSER_DEFAULT_MAX_TOTAL_MIME_PARTS` (the message included): once
    /// reached, no delimiter line is recognised any more.
    static let maxParts = 10_000
    /// RFC 2046 allows 70; Dovecot keeps 80 and cuts longer boundaries there.
    static let maxBoundaryLength = 80

    private enum Step {
        case header(Int)
        /// Scan `part`'s body from `scanStart`; a delimiter on the first line ends the part
        /// at `firstLineEnd`.
        case body(Int, scanStart: Int, firstLineEnd: Int)
        case done
    }

    /// The parts of `bytes`, the root first; children refer to indexes in the array.
    static func parse(_ bytes: [UInt8]) -> [MessagePart] {
        var parser = MessagePartParser(bytes: bytes)
        parser.run()
        return parser.parts
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func run() {
        var step = Step.header(newPart(parent: nil, kind: []))
        while true {
            switch step {
            case .header(let part): step = parseHeader(part)
            case .body(let part, let scanStart, let firstLineEnd): step = parseBody(part, scanStart: scanStart, firstLineEnd: firstLineEnd)
            case .done:
                for index in parts.indices where parts[index].end < 0 { parts[index].end = bytes.count }
                return
            }
        }
    }

    private mutating func newPart(parent: Int?, kind: MessagePart.Kind) -> Int {
        let depth = parent.map { parts[$0].depth + 1 } ?? 0
        parts.append(MessagePart(start: position, headerEnd: position, end: -1, kind: kind, parent: parent, depth: depth))
        let index = parts.count - 1
        if let parent { parts[parent].children.append(index) }
        return index
    }

    // MARK: Header

    private mutating func parseHeader(_ part: Int) -> Step {
        var kind = parts[part].kind
        var boundary: [UInt8]?
        var seenContentType = false
        var startsMultipart = false
        var previousNewline = 0
        var cut = false
        while position < bytes.count {
            let (contentEnd, next) = bytes.lineBounds(from: position)
            let isBlank = contentEnd == position
            if isBlank, let text = boundary, kind.contains(.mime) {
                // The boundary counts from the blank line on, so a delimiter line is
                // told apart from an enclosing multipart's with the same prefix.
                if isBelowDepthLimit(part) {
                    boundaries.append((part, text))
                    startsMultipart = true
                } else {
                    kind.remove(.multipart)
                }
                boundary = nil
            }
            if let (found, _) = findBoundary(at: position), boundaries[found].part != part {
                // A delimiter ends the header; the line break before it is the delimiter's.
                parts[part].headerEnd = position - previousNewline
                cut = true
                break
            }
            if isBlank {
                position = next
                // A delimiter right after the blank line takes that line break too.
                if let (found, _) = findBoundary(at: position), boundaries[found].part != part {
                    parts[part].headerEnd = position - (next - contentEnd)
                    cut = true
                }
                break
            }
            let line = bytes.headerLine(at: position)
            parts[part].fields.append(line)
            if line.isNamed("MIME-Version", in: bytes) {
                kind.insert(.mime)
            } else if line.isNamed("Content-Type", in: bytes) {
                kind.insert(.mime)
                if !seenContentType {
                    seenContentType = true
                    (kind, boundary) = Self.classify(line.value(in: bytes), kind: kind)
                }
            }
            previousNewline = line.newlineLength
            position = line.range.upperBound
        }
        if !cut { parts[part].headerEnd = position }
        if !kind.contains(.mime) { kind = [] }
        if !seenContentType || !kind.contains(.mime) {
            let inDigest = parts[part].parent.map { parts[$0].kind.contains(.digest) } ?? false
            kind.insert(inDigest ? .message : .text)
        }
        if kind.contains(.message) && !(isBelowDepthLimit(part) && parts.count < Self.maxParts) { kind.remove(.message) }
        parts[part].kind = kind
        let bodyStart = cut ? parts[part].headerEnd : position
        if startsMultipart { return .body(part, scanStart: position, firstLineEnd: bodyStart) }
        if kind.contains(.message) { return .header(newPart(parent: part, kind: [])) }
        if !boundaries.isEmpty { return .body(part, scanStart: position, firstLineEnd: bodyStart) }
        return .done
    }

    /// Whether `part` may hold parts of its own under the nesting cap.
    private func isBelowDepthLimit(_ part: Int) -> Bool {
        parts[part].depth + 1 < Self.maxDepth
    }

    /// The kind a Content-Type value gives and, for a multipart, its boundary.
    private static func classify(_ value: [UInt8], kind: MessagePart.Kind) -> (MessagePart.Kind, [UInt8]?) {
        var kind = kind
        var scanner = HeaderValueScanner(value)
        var type: [UInt8] = []
        let outcome = scanner.parseContentType(into: &type)
        let lowered = type.asciiLowercased
        if lowered == Array("message/rfc822".utf8) {
            kind.insert(.message)
        } else if lowered == Array("text".utf8) || lowered.starts(with: Array("text/".utf8)) {
            kind.insert(.text)
        } else if lowered.starts(with: Array("multipart/".utf8)) {
            kind.insert(.multipart)
            if lowered == Array("multipart/digest".utf8) { kind.insert(.digest) }
        }
        guard outcome != .broken, kind.contains(.multipart) else { return (kind, nil) }
        let boundary = ContentParameters.parse(&scanner).first { $0.name.equalsIgnoringASCIICase(Array("boundary".utf8)) }
        return (kind, boundary.map { Array($0.value.prefix(maxBoundaryLength)) })
    }

    // MARK: Body

    private mutating func parseBody(_ part: Int, scanStart: Int, firstLineEnd: Int) -> Step {
        var lineStart = scanStart
        while lineStart < bytes.count {
            if let (found, closes) = findBoundary(at: lineStart) {
                let firstLine = lineStart == scanStart
                var closeEnd = lineStart
                if !firstLine {
                    closeEnd -= 1
                    if closeEnd > scanStart && bytes[closeEnd - 1] == UInt8(ascii: "\r") { closeEnd -= 1 }
                }
                return finish(part, boundary: found, closes: closes, partEnd: firstLine ? firstLineEnd : closeEnd,
                              ancestorsEnd: closeEnd, lineStart: lineStart)
            }
            lineStart = bytes.lineBounds(from: lineStart).next
        }
        position = bytes.count
        return .done
    }

    /// A delimiter of `boundaries[boundary]` at `lineStart`: closes the parts opened inside
    /// its multipart, then starts the next part or the multipart's epilogue.
    private mutating func finish(_ part: Int, boundary: Int, closes: Bool, partEnd: Int, ancestorsEnd: Int,
                                 lineStart: Int) -> Step {
        let multipart = boundaries[boundary].part
        if part != multipart {
            parts[part].end = partEnd
            var ancestor = parts[part].parent
            while let current = ancestor, current != multipart {
                parts[current].end = ancestorsEnd
                ancestor = parts[current].parent
            }
        }
        boundaries.removeSubrange((closes ? boundary : boundary + 1)...)
        position = bytes.lineBounds(from: lineStart).next
        guard let innermost = boundaries.last, innermost.part == multipart else {
            // After the close delimiter: the epilogue, up to an enclosing delimiter or the end.
            if boundaries.isEmpty { return .done }
            return .body(multipart, scanStart: position, firstLineEnd: position)
        }
        return .header(newPart(parent: multipart, kind: .mime))
    }

    /// The boundary whose delimiter starts the line at `lineStart`, and whether it is the
    /// close delimiter (`--boundary--`): the longest boundary the line starts with, the
    /// newest first, one that is the whole line (or the whole line but `--`) at once.
    private func findBoundary(at lineStart: Int) -> (Int, closes: Bool)? {
        guard !boundaries.isEmpty, lineStart + 1 < bytes.count,
              bytes[lineStart] == UInt8(ascii: "-"), bytes[lineStart + 1] == UInt8(ascii: "-"),
              parts.count < Self.maxParts else { return nil }
        let textStart = lineStart + 2
        let textEnd = bytes.lineBounds(from: textStart).contentEnd
        let lineLength = textEnd - textStart
        let trailingDashes = lineLength > 2 && bytes[textEnd - 1] == UInt8(ascii: "-") && bytes[textEnd - 2] == UInt8(ascii: "-")
        var best: Int?
        for index in boundaries.indices.reversed() {
            let text = boundaries[index].text
            guard text.count <= lineLength, bytes[textStart..<(textStart + text.count)].elementsEqual(text),
                  best.map({ boundaries[$0].text.count < text.count }) ?? true else { continue }
            best = index
            if text.count == lineLength || (trailingDashes && text.count == lineLength - 2) { break }
        }
        guard let best else { return nil }
        let after = textStart + boundaries[best].text.count
        let closes = after + 2 <= bytes.count && bytes[after] == UInt8(ascii: "-") && bytes[after + 1] == UInt8(ascii: "-")
        return (best, closes)
    }
}
