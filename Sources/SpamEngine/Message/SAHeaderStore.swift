import MIME

/// One part's header fields in the forms SpamAssassin's `Message::Node` keeps.
struct SAHeaderStore: Sendable {
    struct Field: Sendable {
        var name: String
        var lname: String
        /// `lname`'s ``Name/key``: lookups compare this first, so a header rule asking for
        /// an absent header costs a scan of integers, not of strings.
        var key: UInt64
        var raw: [UInt8]        // after the colon, folding kept, "\n"-terminated
        /// Unfolded, trimmed, RFC 2047 decoded, then "\n" (the form `get_header` returns,
        /// kept whole so lookups hand out the stored array).
        var decodedLine: [UInt8]
    }

    /// A header name as lookups take it: lowercased once, with the key of its bytes.
    struct Name {
        let lname: String
        let key: UInt64

        init(_ name: String) { self.init(lowercased: name.lowercased()) }

        init(lowercased lname: String) {
            self.lname = lname
            key = Self.key(lname)
        }

        /// FNV-1a of the lowercase name's UTF-8: equal names have equal keys.
        static func key(_ lname: String) -> UInt64 {
            func fnv(_ bytes: some Sequence<UInt8>) -> UInt64 {
                var hash: UInt64 = 0xCBF2_9CE4_8422_2325
                for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01B3 }
                return hash
            }
            return lname.utf8.withContiguousStorageIfAvailable(fnv) ?? fnv(lname.utf8)
        }
    }

    let fields: [Field]

    init(_ block: HeaderBlock) {
        fields = block.fields.map { f in
            let raw = SAHeaderDecoding.rawValue(f)
            var name = f.name
            if let b = name.utf8.last, b == 0x20 || b == 0x09 {
                while let c = name.last, c == " " || c == "\t" { name.removeLast() }
            }
            var decodedLine = SAHeaderDecoding.decodedValue(raw: raw, name: name)
            decodedLine.append(0x0A)
            let lname = name.lowercased()
            return Field(name: name, lname: lname, key: Name.key(lname), raw: raw, decodedLine: decodedLine)
        }
    }

    /// The fields named `name`, in message order.
    func matching(_ name: Name) -> some Sequence<Field> {
        fields.lazy.filter { $0.key == name.key && $0.lname == name.lname }
    }

    /// `get_header($name)` list: decoded values, each + "\n".
    func decoded(_ name: String) -> [[UInt8]] { decoded(Name(name)) }

    func decoded(_ name: Name) -> [[UInt8]] { matching(name).map(\.decodedLine) }

    /// The last decoded value + "\n" (scalar `get_header`), nil when absent.
    func last(_ name: String) -> [UInt8]? { decoded(name).last }

    /// `raw_header($name)` list: raw values as in the message.
    func raw(_ name: String) -> [[UInt8]] { raw(Name(name)) }

    func raw(_ name: Name) -> [[UInt8]] { matching(name).map(\.raw) }

    /// `get_header($name, 1)`: raw values with `\r?\n\s+` folded to one space.
    func rawUnfolded(_ name: String) -> [[UInt8]] { rawUnfolded(Name(name)) }

    func rawUnfolded(_ name: Name) -> [[UInt8]] { matching(name).map { Self.unfoldRaw($0.raw) } }

    static func unfoldRaw(_ r: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < r.count {
            var j = i
            if r[j] == 0x0D, j + 1 < r.count, r[j + 1] == 0x0A { j += 1 }
            if r[j] == 0x0A, j + 1 < r.count, UTF8Text.isASCIISpace(r[j + 1]) {
                var k = j + 1
                while k < r.count, UTF8Text.isASCIISpace(r[k]) { k += 1 }
                out.append(0x20); i = k; continue
            }
            out.append(r[i]); i += 1
        }
        return out
    }

    /// `get_all_headers(0)`: "Name: decoded\n" per field, in message order.
    func allDecodedLines() -> [[UInt8]] {
        fields.map { Array($0.name.utf8) + [0x3A, 0x20] + $0.decodedLine }
    }

    /// `ALL:raw`: each pristine header field, folding kept.
    func allRawLines() -> [[UInt8]] {
        fields.map { Array($0.name.utf8) + [0x3A] + $0.raw }
    }

    /// `get_all_hdrs_in_rcvd_index_range`: header lines between Received headers
    /// (0-based index among Received fields, top first); `from`/`to` nil mean open ends.
    func linesInReceivedRange(from: Int?, to: Int?, raw: Bool) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var rcvd = -1
        for f in fields {
            if f.lname == "received" { rcvd += 1 }
            let idx = max(rcvd, 0)
            if let fr = from, rcvd < fr { continue }
            if let t = to, idx >= t, rcvd >= 0 { if f.lname == "received" && idx >= t { break } }
            out.append(Array(f.name.utf8) + (raw ? [0x3A] + f.raw : [0x3A, 0x20] + f.decodedLine))
        }
        return out
    }
}
