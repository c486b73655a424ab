/// Reassembles RFC 2231 parameters: continuations (`name*0`, `name*1` …), and
/// `charset'language'percent-encoded` values (`name*=` or `name*0*=`).
struct RFC2231Assembler {
    private struct Section {
        var value: [UInt8]
        var encoded: Bool
    }
    /// Sections per parameter name; a lone `name*=` is section 0.
    private var sections: [String: [Int: Section]] = [:]

    /// Takes `name` if it is an RFC 2231 form and returns true; false for plain names.
    mutating func add(name: String, value: [UInt8]) -> Bool {
        guard let star = name.firstIndex(of: "*") else { return false }
        let base = String(name[..<star])
        var rest = name[name.index(after: star)...]
        guard !base.isEmpty else { return false }
        let encoded: Bool
        let number: Int
        if rest.isEmpty {
            encoded = true
            number = 0
        } else {
            encoded = rest.hasSuffix("*")
            if encoded { rest = rest.dropLast() }
            // Section numbers are small decimals; anything else is not RFC 2231.
            guard !rest.isEmpty, rest.count <= 4, rest.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let n = Int(rest) else { return false }
            number = n
        }
        if sections[base, default: [:]][number] == nil {
            sections[base, default: [:]][number] = Section(value: value, encoded: encoded)
        }
        return true
    }

    /// Decoded value per parameter name.
    func assemble() -> [String: String] {
        var result: [String: String] = [:]
        for (name, parts) in sections {
            var charset: String?
            var bytes: [UInt8] = []
            for number in parts.keys.sorted() {
                guard let section = parts[number] else { continue }
                if !section.encoded {
                    bytes.append(contentsOf: section.value)
                    continue
                }
                var value = section.value[...]
                // Only the first section carries charset'language' (RFC 2231 §4.1).
                if number == parts.keys.min() {
                    let quotes = value.indices.filter { value[$0] == ASCII.apostrophe }
                    if quotes.count >= 2 {
                        let cs = String(decoding: value[value.startIndex..<quotes[0]], as: UTF8.self)
                        if !cs.isEmpty { charset = cs }
                        value = value[(quotes[1] + 1)...]
                    }
                }
                bytes.append(contentsOf: percentDecode(value))
            }
            result[name] = Charset.decode(bytes, charset: charset)
        }
        return result
    }

    /// `%XX` to a byte; a bad escape is kept literally.
    private func percentDecode(_ s: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == ASCII.percent, i + 2 < s.endIndex,
               let hi = ASCII.hexValue(s[i + 1]), let lo = ASCII.hexValue(s[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }
}
