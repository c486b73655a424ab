/// The literal announcement that ends a command line: `{n}`, `{n+}`, `{n-}` (RFC 7888) or
/// `~{n}` (RFC 3516 literal8), preceded by SP or `(` as every grammar rule that takes a
/// string puts it.
struct LiteralMarker: Hashable, Sendable {
    enum Synchronization: Hashable, Sendable {
        /// `{n}`: wait for `+`.
        case synchronizing
        /// `{n+}` LITERAL+.
        case plus
        /// `{n-}` LITERAL-: at most 4096 bytes.
        case minus
    }

    var size: UInt64
    var synchronization: Synchronization
    var isBinary: Bool

    /// Reads the marker at the end of `line` (a line without its CR LF), or nil.
    static func atEnd(of line: ArraySlice<UInt8>) -> LiteralMarker? {
        var index = line.endIndex
        func before() -> UInt8? { index > line.startIndex ? line[index - 1] : nil }
        guard before() == UInt8(ascii: "}") else { return nil }
        index -= 1
        var synchronization = Synchronization.synchronizing
        if before() == UInt8(ascii: "+") {
            synchronization = .plus
            index -= 1
        } else if before() == UInt8(ascii: "-") {
            synchronization = .minus
            index -= 1
        }
        let digitsEnd = index
        while let byte = before(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index -= 1 }
        let digits = line[index..<digitsEnd]
        guard !digits.isEmpty, before() == UInt8(ascii: "{") else { return nil }
        index -= 1
        var isBinary = false
        if before() == UInt8(ascii: "~") {
            isBinary = true
            index -= 1
        }
        guard let preceding = before(), preceding == UInt8(ascii: " ") || preceding == UInt8(ascii: "(") else {
            return nil
        }
        // Saturates: any size past UInt64.max is as refused as UInt64.max.
        let size = digits.reduce(UInt64(0)) { size, digit in
            let (times, overflow) = size.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            return overflow || carry ? .max : sum
        }
        return LiteralMarker(size: size, synchronization: synchronization, isBinary: isBinary)
    }
}
