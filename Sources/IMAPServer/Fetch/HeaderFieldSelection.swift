/// HEADER.FIELDS and HEADER.FIELDS.NOT (RFC 3501 §6.4.5): the chosen fields exactly as in
/// the message (folding and line ends kept), in message order, then the blank line if the
/// header had one. As Dovecot: HEADER.FIELDS ends a last field that has no line end with
/// CRLF and is never empty (CRLF alone); HEADER.FIELDS.NOT leaves both as they are.
enum HeaderFieldSelection {
    /// The fields of `part`'s header whose names are (`keep` true) or are not (`keep`
    /// false) in `names`, compared ASCII case-insensitively.
    static func select(_ part: MessagePart, names: [[UInt8]], keep: Bool, in bytes: [UInt8]) -> [UInt8] {
        let wanted = Set(names.map(\.asciiLowercased))
        var output: [UInt8] = []
        for field in part.fields where wanted.contains(field.name(in: bytes).asciiLowercased) == keep {
            output.append(contentsOf: bytes[field.range.clamped(to: part.headerRange)])
            if keep && field.newlineLength == 0 { output.append(contentsOf: [0x0D, 0x0A]) }
        }
        if let blankLine = blankLine(of: part, in: bytes) { output.append(contentsOf: blankLine) }
        if keep && output.isEmpty { output = [0x0D, 0x0A] }
        return output
    }

    /// The line break that ends the header, if it ended with a blank line.
    private static func blankLine(of part: MessagePart, in bytes: [UInt8]) -> ArraySlice<UInt8>? {
        let fieldsEnd = part.fields.last?.range.upperBound ?? part.start
        guard fieldsEnd < part.headerEnd else { return nil }
        return bytes[fieldsEnd..<part.headerEnd]
    }
}
