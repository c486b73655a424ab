/// Finds the body parts of a multipart body (RFC 2046 §5.1.1).
///
/// ```
/// preamble (ignored)
/// --boundary[WSP]CRLF          ← delimiter line
/// part 1 (headers, blank line, body)
/// CRLF--boundary[WSP]CRLF      ← the CRLF before "--" belongs to the delimiter
/// part 2
/// CRLF--boundary--[WSP]CRLF    ← close delimiter
/// epilogue (ignored)
/// ```
///
/// One forward pass over the lines of the body: each line is located with `memchr`
/// and only lines starting with `--` are compared with the delimiter, so the cost is
/// linear in the body size whatever the number of parts.
struct MultipartSplitter {
    let bytes: [UInt8]

    struct Result {
        /// Byte ranges of each part (headers and body), in order.
        var parts: [Range<Int>] = []
        /// Whether any delimiter line was found.
        var foundDelimiter = false
        /// Whether the close delimiter was found.
        var closed = false
        /// Whether splitting stopped early because `maxParts` parts were found.
        var truncated = false
    }

    func split(_ body: Range<Int>, boundary: String, maxParts: Int) -> Result {
        // RFC 2046 allows a boundary to end in a space, but trailing whitespace on the
        // delimiter line is insignificant (and often stripped in transit), so match without it.
        var boundaryBytes = Array(boundary.utf8)
        while let last = boundaryBytes.last, ASCII.isWSP(last) { boundaryBytes.removeLast() }
        let hadTrailingSpace = boundaryBytes.count != boundary.utf8.count
        let delimiter: [UInt8] = [ASCII.hyphen, ASCII.hyphen] + boundaryBytes
        var result = Result()
        // An all-blank boundary would make every "--" line a delimiter.
        if boundaryBytes.isEmpty { return result }
        var partStart: Int?
        var pos = body.lowerBound
        while pos < body.upperBound {
            let (content, next) = bytes.line(from: pos, end: body.upperBound)
            defer { pos = next }
            guard content.count >= delimiter.count,
                  bytes[pos] == ASCII.hyphen,
                  bytes.hasBytes(delimiter, at: pos, end: content.upperBound)
            else { continue }
            var after = pos + delimiter.count
            if hadTrailingSpace {
                // The close delimiter of boundary "b " is "--b --".
                var j = after
                while j < content.upperBound && ASCII.isWSP(bytes[j]) { j += 1 }
                if j + 2 <= content.upperBound && bytes[j] == ASCII.hyphen && bytes[j + 1] == ASCII.hyphen { after = j }
            }
            let isClose = after + 2 <= content.upperBound
                && bytes[after] == ASCII.hyphen && bytes[after + 1] == ASCII.hyphen
            if isClose { after += 2 }
            // Only whitespace may follow; otherwise this is a longer boundary (often a
            // nested part's, which starts with the outer one) or plain text.
            guard bytes[after..<content.upperBound].allSatisfy(ASCII.isWSP) else { continue }

            result.foundDelimiter = true
            if let start = partStart {
                result.parts.append(start..<max(start, endBeforeLineBreak(pos, floor: start)))
                if result.parts.count >= maxParts && !isClose {
                    result.truncated = true
                    return result
                }
            }
            if isClose {
                result.closed = true
                return result
            }
            partStart = next
        }
        if let start = partStart {
            result.parts.append(start..<body.upperBound)
        }
        return result
    }

    /// `lineStart` moved back over the preceding CRLF or LF, not below `floor`.
    private func endBeforeLineBreak(_ lineStart: Int, floor: Int) -> Int {
        var end = lineStart
        if end > floor && bytes[end - 1] == ASCII.lf { end -= 1 }
        if end > floor && bytes[end - 1] == ASCII.cr { end -= 1 }
        return end
    }
}
