import MIME

/// One part's header fields in the forms SpamAssassin's `Message::Node` keeps.
struct SAHeaderStore: Sendable {
    struct Field: Sendable {
        var name: String
        var lname: String
        var raw: [UInt8]        // after the colon, folding kept, "\n"-terminated
        var decoded: [UInt8]    // unfolded, trimmed, RFC 2047 decoded, no newline
    }
    let fields: [Field]

    init(_ block: HeaderBlock) {
        fields = block.fields.map { f in
            let raw = SAHeaderDecoding.rawValue(f)
            var name = f.name
            if let b = name.utf8.last, b == 0x20 || b == 0x09 {
                while let c = name.last, c == " " || c == "\t" { name.removeLast() }
            }
            return Field(name: name, lname: name.lowercased(), raw: raw,
                         decoded: SAHeaderDecoding.decodedValue(raw: raw, name: name))
        }
    }

    /// `get_header($name)` list: decoded values, each + "\n".
    func decoded(_ name: String) -> [[UInt8]] {
        let l = name.lowercased()
        return fields.filter { $0.lname == l }.map { $0.decoded + [0x0A] }
    }

    /// The last decoded value + "\n" (scalar `get_header`), nil when absent.
    func last(_ name: String) -> [UInt8]? { decoded(name).last }

    /// `raw_header($name)` list: raw values as in the message.
    func raw(_ name: String) -> [[UInt8]] {
        let l = name.lowercased()
        return fields.filter { $0.lname == l }.map { $0.raw }
    }

    /// `get_header($name, 1)`: raw values with `\r?\n\s+` folded to one space.
    func rawUnfolded(_ name: String) -> [[UInt8]] { raw(name).map(Self.unfoldRaw) }

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
        fields.map { Array($0.name.utf8) + [0x3A, 0x20] + $0.decoded + [0x0A] }
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
            out.append(Array(f.name.utf8) + (raw ? [0x3A] + f.raw : [0x3A, 0x20] + f.decoded + [0x0A]))
        }
        return out
    }
}
