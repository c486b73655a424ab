/// HTML.pm's `name_to_rgb`: colour names and `#rgb`/`rgb()` forms to `#rrggbb`, or `"invalid"`.
enum HTMLColor {
    static func nameToRGB(_ input: String) -> String {
        let color = input.lowercased().trimmingASCIISpace()
        if let hex = HTMLColors.named[color] {
            return "#" + String(String(hex, radix: 16).reversed()).padding(6).reversedString()
        }
        let u = Array(color.utf8)
        let simple = u.allSatisfy { $0 == 0x23 || (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        guard simple || color.contains("rgb(") else { return "invalid" }
        var c = color
        if let nums = rgbNumbers(color) {
            c = "#" + nums.map { HTMLRenderer.hex2(min($0, 255)) }.joined()
        }
        guard c.hasPrefix("#") else { return "invalid" }
        var h = c.filter { $0.isHexDigit }.lowercased()
        if h.count > 6 { h = String(h.prefix(6)) }
        if h.count > 3 && h.count < 6 { h = String(h.prefix(3)) }
        if h.count % 3 != 0 { h += String(repeating: "0", count: 3 - h.count % 3) }
        if h.count == 3 { h = h.map { "\($0)\($0)" }.joined() }
        return "#" + h
    }

    static func rgbNumbers(_ s: String) -> [Int]? {
        guard let open = s.range(of: "rgb("), let close = s[open.upperBound...].firstIndex(of: ")") else { return nil }
        let inner = s[open.upperBound..<close]
        let parts = inner.split(separator: ",").map { $0.trimmingCharacters(in: " ") }
        guard parts.count == 3 else { return nil }
        var out: [Int] = []
        for p in parts {
            if p.hasSuffix("%"), let v = Int(p.dropLast()) { out.append(Int(Double(v) / 100 * 255)) }
            else if let v = Int(p) { out.append(v) } else { return nil }
        }
        return out
    }

    static func rgb(_ s: String) -> (Int, Int, Int)? {
        let h = s.hasPrefix("#") ? String(s.dropFirst()) : s
        guard h.count == 6, let v = Int(h, radix: 16) else { return nil }
        return (v >> 16, (v >> 8) & 0xFF, v & 0xFF)
    }
}

extension String {
    func trimmingASCIISpace() -> String { trimmingCharacters(in: " \t\r\n\u{0B}\u{0C}") }
    /// Trims Characters made only of `set`'s scalars: as a Character set, " \t\r\n" would
    /// hold the pair "\r\n" but no lone "\n" (a style value broken over lines kept it).
    func trimmingCharacters(in set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        let trimmed = { (c: Character) in c.unicodeScalars.allSatisfy(scalars.contains) }
        var s = Substring(self)
        while let f = s.first, trimmed(f) { s = s.dropFirst() }
        while let l = s.last, trimmed(l) { s = s.dropLast() }
        return String(s)
    }
    fileprivate func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: "0", count: n - count) }
    fileprivate func reversedString() -> String { String(reversed()) }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}
