import MIME

extension HeaderField {
    /// The value unfolded (line breaks removed, ends trimmed) with bytes that are not UTF-8
    /// as U+FFFD, not yet RFC 2047-decoded: how Dovecot reads undeclared 8-bit header text
    /// (`doveadm search subject özür` does not find a raw Latin-1 `özür`). MIME's own
    /// `unfoldedValue` guesses Latin-1 instead, which suits the spam filter, not search.
    var unfoldedUTF8: String {
        var bytes = rawValue.filter { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }[...]
        while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { bytes.removeFirst() }
        while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// ``unfoldedUTF8`` with encoded-words decoded: what header keys, SORT and THREAD see.
    var searchValue: String { RFC2047.decode(unfoldedUTF8) }
}
