/// One header field exactly as it appears in the message.
///
/// The field keeps its raw bytes (a slice of the message, so no copy) and derives text
/// on demand: headers are read far more often by name than by value, and most values
/// are never decoded.
public struct HeaderField: Sendable {
    /// Field name as written (case preserved, surrounding whitespace removed).
    public let name: String
    /// Bytes after the colon up to (not including) the final line ending, folding kept.
    /// Indices are offsets into the original message bytes.
    public let rawValue: ArraySlice<UInt8>
    /// The whole field, name through final line ending, in the original message bytes;
    /// lets callers remove or replace a field without re-serialising anything else.
    public let range: Range<Int>

    /// A field over existing message bytes (the parser's constructor, public for tests
    /// and for callers that build header blocks themselves).
    public init(name: String, rawValue: ArraySlice<UInt8>, range: Range<Int>) {
        self.name = name
        self.rawValue = rawValue
        self.range = range
    }

    /// The value with folding removed (RFC 5322 §2.2.3: CRLF/LF followed by WSP is
    /// dropped, the WSP kept), leading and trailing whitespace trimmed, bytes read as
    /// UTF-8 with a Latin-1 fallback.
    public var unfoldedValue: String {
        var out: [UInt8] = []
        out.reserveCapacity(rawValue.count)
        for b in rawValue where b != ASCII.cr && b != ASCII.lf { out.append(b) }
        var lo = 0
        var hi = out.count
        while lo < hi && ASCII.isWSP(out[lo]) { lo += 1 }
        while hi > lo && ASCII.isWSP(out[hi - 1]) { hi -= 1 }
        return TextDecoding.utf8OrLatin1(out[lo..<hi])
    }

    /// ``unfoldedValue`` with RFC 2047 encoded-words decoded (see ``RFC2047/decode(_:)``).
    public var decodedValue: String { RFC2047.decode(unfoldedValue) }
}
