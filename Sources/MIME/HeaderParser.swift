/// Splits a header block into fields (RFC 5322 §2.2, §3.6; obsolete syntax of §4.5).
///
/// Tolerant by design: real mail has bare LFs, space before the colon, continuation lines
/// without a field, and lines of junk. None of that stops the parse; junk is reported as
/// a defect and skipped so the remaining fields are still seen.
struct HeaderParser {
    let bytes: [UInt8]
    let maxHeaderBytes: Int

    /// Parses the header that starts at `start` and may not extend past `end`.
    func parse(from start: Int, to end: Int, defects: inout DefectLog) -> HeaderBlock {
        var fields: [HeaderField] = []
        // The field being built: name, start of its line, start and end of its value.
        var current: (name: String, start: Int, valueStart: Int, valueEnd: Int, next: Int)?
        var pos = start

        func flush() {
            guard let c = current else { return }
            fields.append(HeaderField(name: c.name, rawValue: bytes[c.valueStart..<c.valueEnd], range: c.start..<c.next))
            current = nil
        }

        while pos < end {
            if pos - start > maxHeaderBytes {
                // Treat what is left as body so its content is still scanned.
                flush()
                defects.record(.headerLimit)
                return HeaderBlock(fields: fields, startOffset: start, bodyOffset: pos, hasBlankLine: false)
            }
            let (content, next) = bytes.line(from: pos, end: end)
            if content.isEmpty {
                flush()
                return HeaderBlock(fields: fields, startOffset: start, bodyOffset: next, hasBlankLine: true)
            }
            if ASCII.isWSP(bytes[content.lowerBound]) {
                // Folded continuation (RFC 5322 §2.2.3). A continuation before any field,
                // or after a skipped junk line, has nothing to continue.
                if current != nil {
                    current!.valueEnd = content.upperBound
                    current!.next = next
                } else {
                    defects.record(.badHeaderLine)
                }
                pos = next
                continue
            }
            flush()
            if let (name, valueStart) = fieldName(in: content) {
                current = (name, pos, valueStart, content.upperBound, next)
            } else {
                defects.record(.badHeaderLine)
            }
            pos = next
        }
        flush()
        if pos > start { defects.record(.missingBlankLine) }
        return HeaderBlock(fields: fields, startOffset: start, bodyOffset: end, hasBlankLine: false)
    }

    /// The field name of a line and where its value starts, or nil if the line is not a
    /// field. Names are printable ASCII without colon (RFC 5322 §3.6.8); WSP before the
    /// colon is allowed (obs-optional, §4.5.8).
    private func fieldName(in line: Range<Int>) -> (String, Int)? {
        var i = line.lowerBound
        while i < line.upperBound {
            let b = bytes[i]
            if b == ASCII.colon { break }
            if b < 0x21 || b > 0x7E {
                if ASCII.isWSP(b) { break }
                return nil
            }
            i += 1
        }
        let nameEnd = i
        while i < line.upperBound && ASCII.isWSP(bytes[i]) { i += 1 }
        guard nameEnd > line.lowerBound, i < line.upperBound, bytes[i] == ASCII.colon else { return nil }
        let name = String(decoding: bytes[line.lowerBound..<nameEnd], as: UTF8.self)
        return (name, i + 1)
    }
}
