/// Follows quoted strings across a command line as its bytes arrive, so that a `{5}` inside
/// `"…{5}"` is not taken for a literal announcement (Dovecot `imap-parser.c` does the same).
struct QuoteScanner: Sendable {
    private(set) var inQuote = false
    private var escaped = false

    mutating func scan(_ bytes: ArraySlice<UInt8>) {
        for byte in bytes {
            if escaped {
                escaped = false
            } else if inQuote && byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inQuote.toggle()
            }
        }
    }

    mutating func reset() { self = QuoteScanner() }
}
