import PCRE

/// The subtest of `check_rbl`/`check_rbl_txt`/`check_rbl_sub` (Mail::SpamAssassin::Dns
/// `check_subtest`, compiled as in `do_rbl_lookup`): a string of digits is a bitmask over
/// an A answer inside 127.0.0.0/8; a dotted quad must equal the answer; anything else is a
/// Perl regex matched (unanchored) against the answer, e.g. `127\.0\.0\.[2-3]`.
public enum RBLSubtest: Sendable, CustomStringConvertible {
    case bitmask(UInt64)
    case exact(String)
    case regex(PCRERegex)

    /// Throws `PCREError` when the subtest is neither a number nor an address and does not
    /// compile as a regex (SpamAssassin warns and skips the rule).
    public init(_ text: String) throws(PCREError) {
        let isDigits = { (s: Substring) in !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 1, isDigits(parts[0]) {
            // Perl numifies an overlong mask to a float; keep the low 64 bits' meaning
            // (any bit of the 32-bit answer) by saturating.
            self = .bitmask(UInt64(text) ?? UInt64.max)
        } else if parts.count == 4, parts.allSatisfy(isDigits) {
            self = .exact(text)
        } else {
            self = .regex(try PCRERegex(text))
        }
    }

    /// Whether one answer (an A record's dotted quad or a TXT record's text) matches.
    public func matches(_ rdata: String) -> Bool {
        switch self {
        case .regex(let re):
            return re.matches(rdata)
        case .bitmask(let mask):
            // Bug 6803: only answers within 127.0.0.0/8 count.
            guard let value = IPAddressText.ipv4Number(rdata), value >> 24 == 127 else { return false }
            return UInt64(value) & mask != 0
        case .exact(let ip):
            return ip == rdata
        }
    }

    public var description: String {
        switch self {
        case .bitmask(let m): "\(m)"
        case .exact(let s): s
        case .regex(let re): re.pattern
        }
    }
}

/// The subtest of `urirhssub`/`uridnssub` (Plugin::URIDNSBL `parse_and_canonicalize_subtest`
/// and `complete_dnsbl_lookup`): `m` (mask: any common bit, answer in 127/8), `n1-n2`
/// (inclusive range), `n/m` (value under mask); each number decimal, `0x` hex or a dotted
/// quad, and a lone dotted quad means the range `n-n`.
public enum URIBLSubtest: Sendable, Equatable, CustomStringConvertible {
    case mask(UInt64)
    case range(UInt64, UInt64)
    case valueMask(UInt64, UInt64)

    public init?(_ text: String) {
        func number(_ s: Substring) -> (UInt64, isQuad: Bool)? {
            if s.count <= 10, s.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt64(s) { return (n, false) }
            if s.hasPrefix("0x"), (1...8).contains(s.count - 2), let n = UInt64(s.dropFirst(2), radix: 16) { return (n, false) }
            if let v = IPAddressText.ipv4Number(String(s)) { return (UInt64(v), true) }
            return nil
        }
        guard !text.isEmpty else { return nil }
        if let d = text.firstIndex(where: { $0 == "/" || $0 == "-" }) {
            let rest = text[text.index(after: d)...]
            guard let (n1, _) = number(text[..<d]), let (n2, _) = number(rest) else { return nil }
            self = text[d] == "-" ? .range(n1, n2) : .valueMask(n1, n2)
        } else {
            guard let (n, isQuad) = number(Substring(text)) else { return nil }
            self = isQuad ? .range(n, n) : .mask(n)
        }
    }

    /// `rdata`: an A record's dotted quad (a TXT answer counts as 0, as Perl's undef does).
    public func matches(_ rdata: String) -> Bool {
        let r = UInt64(IPAddressText.ipv4Number(rdata) ?? 0)
        switch self {
        case .mask(let m): return r & m != 0 && r & 0xff00_0000 == 0x7f00_0000
        case .range(let lo, let hi): return r >= lo && r <= hi
        case .valueMask(let v, let m): return r & m == v & m
        }
    }

    public var description: String {
        switch self {
        case .mask(let m): "\(m)"
        case .range(let a, let b): "\(a)-\(b)"
        case .valueMask(let v, let m): "\(v)/\(m)"
        }
    }
}
