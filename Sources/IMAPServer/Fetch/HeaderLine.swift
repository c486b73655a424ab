/// One header field of a message or MIME part as Dovecot's header parser reads it: the
/// name before the colon (trailing blanks dropped; empty for a line without a colon,
/// which is all value), the value after it, continuation lines included, and the line
/// end it ends with.
struct HeaderLine {
    /// The whole field, continuation lines and final line end included.
    let range: Range<Int>
    let nameRange: Range<Int>
    /// After the colon (the whole line without one) up to the final line end, folding kept.
    let valueRange: Range<Int>
    /// 2 for CRLF, 1 for LF, 0 when the field ends the input without a line end.
    let newlineLength: Int

    /// Whether the name is `name`, ASCII case-insensitively.
    func isNamed(_ name: String, in bytes: [UInt8]) -> Bool {
        let expected = Array(name.utf8)
        guard nameRange.count == expected.count else { return false }
        return zip(bytes[nameRange], expected).allSatisfy { $0.asciiLowercased == $1.asciiLowercased }
    }

    func name(in bytes: [UInt8]) -> [UInt8] { Array(bytes[nameRange]) }

    /// The value as Dovecot hands it on: blanks after the colon dropped (all but one when
    /// the value is only blanks), folding kept.
    func value(in bytes: [UInt8]) -> [UInt8] {
        var start = valueRange.lowerBound
        while start < valueRange.upperBound && (bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t")) { start += 1 }
        if start == valueRange.upperBound && !valueRange.isEmpty { return Array(bytes[(valueRange.lowerBound + 1)..<valueRange.upperBound]) }
        return Array(bytes[start..<valueRange.upperBound])
    }
}

/// Reading lines of a byte buffer.
extension Array where Element == UInt8 {
    /// The line starting at `start`: where its content ends (before CR LF or LF) and where
    /// the next line starts.
    func lineBounds(from start: Int) -> (contentEnd: Int, next: Int) {
        guard let lineFeed = self[start...].firstIndex(of: UInt8(ascii: "\n")) else { return (count, count) }
        let contentEnd = lineFeed > start && self[lineFeed - 1] == UInt8(ascii: "\r") ? lineFeed - 1 : lineFeed
        return (contentEnd, lineFeed + 1)
    }

    /// The header field starting at `start` (not a blank line), with its continuation lines.
    func headerLine(at start: Int) -> HeaderLine {
        var (contentEnd, next) = lineBounds(from: start)
        while next < count && (self[next] == UInt8(ascii: " ") || self[next] == UInt8(ascii: "\t")) {
            (contentEnd, next) = lineBounds(from: next)
        }
        let firstLineEnd = lineBounds(from: start).contentEnd
        var nameEnd = start
        while nameEnd < firstLineEnd && self[nameEnd] != UInt8(ascii: ":") { nameEnd += 1 }
        let hasColon = nameEnd < firstLineEnd
        let valueStart = hasColon ? nameEnd + 1 : start
        var trimmedNameEnd = hasColon ? nameEnd : start
        while trimmedNameEnd > start && (self[trimmedNameEnd - 1] == UInt8(ascii: " ") || self[trimmedNameEnd - 1] == UInt8(ascii: "\t")) {
            trimmedNameEnd -= 1
        }
        return HeaderLine(
            range: start..<next, nameRange: start..<trimmedNameEnd, valueRange: valueStart..<contentEnd,
            newlineLength: next - contentEnd)
    }
}
