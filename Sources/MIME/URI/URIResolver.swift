/// HTML.pm's `target_uri`: resolves an attribute URI against `<base href>` (RFC 3986 §5.2
/// with SpamAssassin's non-strict scheme handling and its `www.`/`ftp.` scheme guess).
public enum URIResolver {
    struct Parts {
        var scheme: [UInt8]?
        var authority: [UInt8]?
        var path: [UInt8] = []
        var query: [UInt8]?
        var fragment: [UInt8]?
    }

    /// `^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?`
    static func parse(_ u: [UInt8]) -> Parts {
        var p = Parts()
        var i = 0
        let n = u.count
        var j = 0
        while j < n, u[j] != 0x3A, u[j] != 0x2F, u[j] != 0x3F, u[j] != 0x23 { j += 1 }
        if j > 0, j < n, u[j] == 0x3A { p.scheme = Array(u[0..<j]); i = j + 1 }
        if i + 1 < n, u[i] == 0x2F, u[i + 1] == 0x2F {
            var k = i + 2
            while k < n, u[k] != 0x2F, u[k] != 0x3F, u[k] != 0x23 { k += 1 }
            p.authority = Array(u[(i + 2)..<k]); i = k
        }
        var k = i
        while k < n, u[k] != 0x3F, u[k] != 0x23 { k += 1 }
        p.path = Array(u[i..<k]); i = k
        if i < n, u[i] == 0x3F {
            var m = i + 1
            while m < n, u[m] != 0x23 { m += 1 }
            p.query = Array(u[(i + 1)..<m]); i = m
        }
        if i < n, u[i] == 0x23 { p.fragment = Array(u[(i + 1)...]) }
        return p
    }

    static func removeDotSegments(_ inputPath: [UInt8]) -> [UInt8] {
        var input = inputPath
        // s@^(?:\.\.?/)@/@
        if input.starts(with: [0x2E, 0x2F]) { input.replaceSubrange(0..<2, with: [0x2F]) }
        else if input.starts(with: [0x2E, 0x2E, 0x2F]) { input.replaceSubrange(0..<3, with: [0x2F]) }
        var output: [UInt8] = []
        var s = input[...]
        while !s.isEmpty {
            if s.starts(with: [0x2F, 0x2E]) && (s.count == 2 || s[s.startIndex + 2] == 0x2F) {
                s = [0x2F] + s.dropFirst(s.count == 2 ? 2 : 3)
            } else if s.starts(with: [0x2F, 0x2E, 0x2E]) && (s.count == 3 || s[s.startIndex + 3] == 0x2F) {
                s = [0x2F] + s.dropFirst(s.count == 3 ? 3 : 4)
                // $output =~ s@/?[^/]*$@@
                if let slash = output.lastIndex(of: 0x2F) { output.removeSubrange(slash...) } else { output.removeAll() }
            } else {
                // (/?[^/]*)
                var e = s.startIndex
                if s[e] == 0x2F { e += 1 }
                while e < s.endIndex, s[e] != 0x2F { e += 1 }
                if e == s.startIndex { break }
                output.append(contentsOf: s[s.startIndex..<e])
                s = s[e...]
            }
        }
        return output
    }

    static func merge(_ baseAuthority: [UInt8]?, _ basePath: [UInt8], _ rPath: [UInt8]) -> [UInt8] {
        if baseAuthority != nil && basePath.isEmpty { return [0x2F] + rPath }
        if let slash = basePath.lastIndex(of: 0x2F) { return Array(basePath[...slash]) + rPath }
        return rPath
    }

    /// Resolves `relative` against `base` (empty base: none).
    public static func targetURI(base: [UInt8], relative: [UInt8]) -> [UInt8] {
        var r = parse(relative)
        let b = parse(base)
        var t = Parts()
        if let rs = r.scheme, let bs = b.scheme, rs == bs { r.scheme = nil }
        if r.scheme != nil {
            t.scheme = r.scheme; t.authority = r.authority
            t.path = removeDotSegments(r.path); t.query = r.query
        } else {
            if r.authority != nil {
                t.authority = r.authority; t.path = removeDotSegments(r.path); t.query = r.query
            } else {
                if r.path.isEmpty {
                    t.path = b.path
                    t.query = r.query ?? b.query
                } else {
                    if r.path.first == 0x2F { t.path = removeDotSegments(r.path) }
                    else { t.path = removeDotSegments(merge(b.authority, b.path, r.path)) }
                    t.query = r.query
                }
                t.authority = b.authority
            }
            t.scheme = b.scheme
        }
        t.fragment = r.fragment
        var out: [UInt8] = []
        if let s = t.scheme, !s.isEmpty, s != [0x30] {
            out += s; out.append(0x3A)
        } else if let a = t.authority {
            let l = String(decoding: a, as: UTF8.self).lowercased()
            if Self.prefixWithDigits(l, "www") { out += Array("http:".utf8) }
            else if Self.prefixWithDigits(l, "ftp") { out += Array("ftp:".utf8) }
        }
        if let a = t.authority { out += [0x2F, 0x2F]; out += a }
        out += t.path
        if let q = t.query { out.append(0x3F); out += q }
        if let f = t.fragment { out.append(0x23); out += f }
        return out
    }

    /// `^name\d*\.`
    static func prefixWithDigits(_ s: String, _ name: String) -> Bool {
        guard s.hasPrefix(name) else { return false }
        let rest = s.dropFirst(name.count).drop { $0.isASCII && $0.isNumber }
        return rest.first == "."
    }
}
