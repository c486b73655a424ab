/// SpamAssassin 4.0.1's `Util::uri_list_canonicalize`: the raw URI plus "slightly cooked"
/// variants (percent-decoded, `http://` added, user info and trailing junk removed from the
/// host, numeric IP hosts decoded, one level of redirector unwrapped, `http://foo` →
/// `http://www.foo.com`), and `RegistryBoundaries::uri_to_domain`'s validity check.
///
/// Not modelled: `redirector_pattern` rules from the config (only the generic
/// `https?:` redirector unwrapping) and IDN (punycode) conversion of non-ASCII hosts.
public enum URICanonicalizer {
    /// All variants of `uri`, deduplicated, in a stable order (SpamAssassin returns hash keys).
    public static func canonicalize(_ input: [UInt8]) -> [[UInt8]] {
        var uris: [[UInt8]] = [input]
        var nuris: [[UInt8]] = []
        var idx = 0
        while idx < uris.count, idx < 64 {
            var uri = uris[idx]
            uri.removeAll { $0 == 0x0A }
            uri = Array(UTF8Text.trimUnicodeSpaceASCII(uri))
            uri.removeAll { $0 == 0x0D }
            uris[idx] = uri
            idx += 1
            if uri.count <= 1 { continue }
            if let f = uri.first, f == 0x23 || f == 0x3F || f == 0x26 { continue }
            if uri[0] == 0x2F, !(uri.count > 1 && uri[1] == 0x2F) { continue }
            var nuri = uri
            // e-mail
            let colon = nuri.firstIndex(of: 0x3A)
            let at = nuri.firstIndex(of: 0x40)
            if TextURIExtractor.hasPrefixCI(nuri, 0, "mailto:") || (at != nil && (colon == nil || colon! > at!)) {
                if let a = at {
                    if let q = nuri[(a + 1)...].firstIndex(of: 0x3F), q > a + 1 { nuris.append(Array(nuri[..<q])) }
                    if let amp = nuri[(a + 1)...].firstIndex(where: { $0 == 0x26 || $0 == 0x3F }), nuri[amp] == 0x26, amp > a + 1 {
                        nuris.append(Array(nuri[..<amp]))
                    }
                }
                if nuri.find(Array("%20".utf8), from: 0) != nil {
                    var r = nuri[...]
                    if nuri.starts(with: "mailto:".utf8) { r = r.dropFirst(7) }
                    while r.starts(with: "%20".utf8) { r = r.dropFirst(3) }
                    if let a = r.firstIndex(of: 0x40), a > r.startIndex {
                        let e = r[(a + 1)...].firstIndex { $0 == 0x3F || $0 == 0x26 || $0 == 0x25 } ?? r.endIndex
                        if e > a + 1 { nuris.append(Array("mailto:".utf8) + r[r.startIndex..<e]) }
                    }
                }
                if let lt = nuri.firstIndex(of: 0x3C), !nuri[..<lt].contains(where: { $0 == 0x3F || $0 == 0x26 }),
                   let gt = nuri[(lt + 1)...].firstIndex(of: 0x3E) {
                    let inner = nuri[(lt + 1)..<gt]
                    if let a = inner.firstIndex(of: 0x40), a > inner.startIndex, a + 1 < gt {
                        nuris.append(Array("mailto:".utf8) + inner)
                    }
                }
                continue
            }
            for i in nuri.indices where nuri[i] == 0x5C { nuri[i] = 0x2F }
            // s{^(https?:)/{0,2}}{$1//}i
            for scheme: StaticString in ["http:", "https:"] where TextURIExtractor.hasPrefixCI(nuri, 0, scheme) {
                var k = scheme.utf8CodeUnitCount
                var slashes = 0
                while k < nuri.count, nuri[k] == 0x2F, slashes < 2 { k += 1; slashes += 1 }
                nuri.replaceSubrange(scheme.utf8CodeUnitCount..<k, with: [0x2F, 0x2F])
                break
            }
            if hasPercentEscape(nuri) { nuri = urlEncode(nuri) }
            if !hasScheme(nuri) {
                nuri = (nuri.starts(with: "ftp.".utf8) ? Array("ftp://".utf8) : Array("http://".utf8)) + nuri
            }
            // http://www.foo.biz?id=3 -> http://www.foo.biz/?id=3
            if TextURIExtractor.hasPrefixCI(nuri, 0, "http://") || TextURIExtractor.hasPrefixCI(nuri, 0, "https://") {
                let hs = TextURIExtractor.hasPrefixCI(nuri, 0, "https://") ? 8 : 7
                if let k = nuri[hs...].firstIndex(where: { $0 == 0x2F || $0 == 0x3F || $0 == 0x23 }), k > hs, nuri[k] != 0x2F {
                    nuri.insert(0x2F, at: k)
                }
            }
            nuri = decodeNumericEntities(nuri)
            if nuri != uri { nuris.append(nuri) }

            guard let parts = splitHTTP(nuri) else { continue }
            var (proto, host, rest) = (parts.proto, parts.host, parts.rest)
            let auth = parts.auth
            var port = parts.port
            var restNoPort: [UInt8]?
            if port.isEmpty {
                port = proto == Array("http://".utf8) ? Array("80".utf8) : Array("443".utf8)
            } else {
                var rnp = rest
                let def = proto == Array("http://".utf8) ? ":80" : ":443"
                if rnp.starts(with: def.utf8), rnp.count == def.utf8.count || !TextURIExtractor.isWord(rnp[def.utf8.count]) {
                    rnp.removeFirst(def.utf8.count)
                    nuris.append(proto + host + rnp)
                }
                restNoPort = rnp
            }
            let nhost = host.map(TextURIExtractor.lower)
            if nhost != host.map(TextURIExtractor.lower) {
                nuris.append(proto + nhost + rest)
            }
            host = nhost == host ? host : nhost
            _ = restNoPort
            if host.contains(where: { $0 <= 0x20 }) {
                host.removeAll { $0 <= 0x20 }
                nuris.append(proto + host + rest)
            }
            // generic redirector: (https?:/{0,2}[^&#]+) in rest
            if let r = findRedirect(rest), r.contains(0x2E) { uris.append(r) }
            if let a = host.firstIndex(of: 0x40), a > 0 {
                host = Array(host[(a + 1)...])
                nuris.append(proto + host + rest)
            }
            var trimmed = host
            while let l = trimmed.last, !TextURIExtractor.isAlnum(l) { trimmed.removeLast() }
            if trimmed.count != host.count { host = trimmed; nuris.append(proto + host + rest) }

            if let ip = decodeDottedIP(host) {
                nuris.append(proto + Array(ip.utf8) + rest)
            } else if host.count > 2, host[0] == 0x30, host[1] | 0x20 == 0x78, host[2...].allSatisfy({ ASCII.hexValue($0) != nil }) {
                let hex = String(decoding: host[2...].suffix(8), as: UTF8.self)
                nuris.append(proto + Array(ulongToIP(UInt64(hex, radix: 16) ?? 0).utf8) + rest)
            } else if !host.isEmpty, host.allSatisfy({ (0x30...0x39).contains($0) }) {
                nuris.append(proto + Array(ulongToIP(UInt64(String(decoding: host, as: UTF8.self)) ?? 0).utf8) + rest)
            } else if proto == Array("http://".utf8), auth.isEmpty, nhost != Array("localhost".utf8), port == Array("80".utf8) {
                var h = nhost[...]
                if h.starts(with: "www.".utf8) { h = h.dropFirst(4) }
                if !h.isEmpty, !h.contains(0x2E), !isDomainValid(nhost) {
                    nuris.append(proto + Array("www.".utf8) + h + Array(".com".utf8) + rest)
                }
            }
        }
        var seen: Set<BytesKey> = []
        var out: [[UInt8]] = []
        for u in uris + nuris where seen.insert(BytesKey(u)).inserted { out.append(u) }
        return out
    }

    /// `^[-_a-z0-9]+:`
    static func hasScheme(_ s: [UInt8]) -> Bool {
        var i = 0
        while i < s.count, TextURIExtractor.isWord(s[i]) || s[i] == 0x2D { i += 1 }
        return i > 0 && i < s.count && s[i] == 0x3A
    }

    /// `^(https?://)([^\@/?#]*\@)?([^/?#:]+)((?::(\d*))?.*)$` (case-insensitive scheme).
    static func splitHTTP(_ s: [UInt8]) -> (proto: [UInt8], auth: [UInt8], host: [UInt8], rest: [UInt8], port: [UInt8])? {
        let pl: Int
        if TextURIExtractor.hasPrefixCI(s, 0, "http://") { pl = 7 } else if TextURIExtractor.hasPrefixCI(s, 0, "https://") { pl = 8 } else { return nil }
        let proto = Array(s[..<pl])
        var i = pl
        var auth: [UInt8] = []
        // greedy [^@/?#]* then @
        var k = pl
        while k < s.count, s[k] != 0x2F, s[k] != 0x3F, s[k] != 0x23 { k += 1 }
        if let a = s[pl..<k].firstIndex(of: 0x40) { auth = Array(s[pl...a]); i = a + 1 }
        var h = i
        while h < s.count, s[h] != 0x2F, s[h] != 0x3F, s[h] != 0x23, s[h] != 0x3A { h += 1 }
        guard h > i else { return nil }
        let host = Array(s[i..<h])
        let rest = Array(s[h...])
        var port: [UInt8] = []
        if h < s.count, s[h] == 0x3A {
            var p = h + 1
            while p < s.count, (0x30...0x39).contains(s[p]) { p += 1 }
            port = Array(s[(h + 1)..<p])
        }
        // proto is compared lowercase in SA only by eq 'http://'; keep as written
        return (proto.map(TextURIExtractor.lower) == proto ? proto : proto, auth, host, rest, port)
    }

    static func findRedirect(_ rest: [UInt8]) -> [UInt8]? {
        var i = 0
        while i + 5 <= rest.count {
            if TextURIExtractor.hasPrefixCI(rest, i, "http") {
                var k = i + 4
                if k < rest.count, rest[k] | 0x20 == 0x73 { k += 1 }
                if k < rest.count, rest[k] == 0x3A {
                    k += 1
                    var sl = 0
                    while k < rest.count, rest[k] == 0x2F, sl < 2 { k += 1; sl += 1 }
                    var e = k
                    while e < rest.count, rest[e] != 0x26, rest[e] != 0x23 { e += 1 }
                    if e > k { return Array(rest[i..<e]) }
                }
            }
            i += 1
        }
        return nil
    }

    /// The `0x`/octal/decimal dotted-quad rewrite, chunk by chunk as Perl does it (each chunk
    /// keeps its dot, so a `0` octet becomes empty: `10.0.0.1` → `10...1`).
    static func decodeDottedIP(_ host: [UInt8]) -> String? {
        let parts = host.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out = ""
        for (n, p) in parts.enumerated() {
            let s = String(decoding: p, as: UTF8.self).lowercased()
            var t: String
            if s.hasPrefix("0x"), s.count > 2, s.dropFirst(2).allSatisfy({ $0.isHexDigit }) {
                t = String(UInt64(s.dropFirst(2).suffix(15), radix: 16) ?? 0)
            } else if !s.isEmpty, s.allSatisfy({ $0.isASCII && $0.isNumber }) {
                t = s
            } else { return nil }
            // s/^0+([1-3][0-7]{0,2}|[4-7][0-7]?)\b/oct/e  (\b: the digits end the chunk)
            if t.hasPrefix("0") {
                let body = t.drop { $0 == "0" }
                if let f = body.first, body.allSatisfy({ ("0"..."7").contains($0) }),
                   (("1"..."3").contains(f) && body.count <= 3) || (("4"..."7").contains(f) && body.count <= 2) {
                    t = String(Int(body, radix: 8)!)
                }
            }
            while t.hasPrefix("0") { t.removeFirst() }
            out += t
            if n < 3 { out += "." }
        }
        return out
    }

    static func ulongToIP(_ v: UInt64) -> String {
        var h = String(v, radix: 16)
        if h.count < 8 { h = String(repeating: "0", count: 8 - h.count) + h }
        let b = Array(h.utf8.prefix(8)).map { ASCII.hexValue($0)! }
        return "\(b[0] << 4 | b[1]).\(b[2] << 4 | b[3]).\(b[4] << 4 | b[5]).\(b[6] << 4 | b[7])"
    }

    /// `&#33;`…`&#126;` and hex forms to characters; Unicode dots to `.`.
    static func decodeNumericEntities(_ s: [UInt8]) -> [UInt8] {
        guard s.contains(0x26) else { return s }
        var out: [UInt8] = []
        var i = 0
        while i < s.count {
            if s[i] == 0x26, i + 3 < s.count, s[i + 1] == 0x23, let semi = s[(i + 2)...].prefix(24).firstIndex(of: 0x3B) {
                let body = String(decoding: s[(i + 2)..<semi], as: UTF8.self)
                let lower = body.lowercased()
                if ["x2e", "12290", "x3002", "65294", "xff0e", "65377", "xff61"].contains(lower) {
                    out.append(0x2E); i = semi + 1; continue
                }
                if body.hasPrefix("x") {
                    let d = body.dropFirst().drop { $0 == "0" }
                    if d.count == 2, d.allSatisfy({ $0.isHexDigit }), let v = Int(d, radix: 16),
                       (0x21...0x29).contains(v) || (0x30...0x6F).contains(v) || (0x70...0x7E).contains(v) {
                        out.append(UInt8(v)); i = semi + 1; continue
                    }
                } else {
                    let d = body.drop { $0 == "0" }
                    if !d.isEmpty, d.count <= 3, d.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(d), (33...126).contains(v) {
                        out.append(UInt8(v)); i = semi + 1; continue
                    }
                }
            }
            out.append(s[i]); i += 1
        }
        return out
    }

    static func hasPercentEscape(_ s: [UInt8]) -> Bool {
        var i = 0
        while i + 2 < s.count {
            if s[i] == 0x25, ASCII.hexValue(s[i + 1]) != nil, ASCII.hexValue(s[i + 2]) != nil { return true }
            i += 1
        }
        return false
    }

    /// Util::url_encode (which decodes safe escapes and encodes unsafe bytes).
    static func urlEncode(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        let hexd = Array("0123456789abcdef".utf8)
        while i < s.count {
            if s[i] == 0x25, i + 2 < s.count, let h = ASCII.hexValue(s[i + 1]), let l = ASCII.hexValue(s[i + 2]) {
                // preserve if /(20|7f|[0189a-fA-F][0-9a-fA-F])/ matches the escape text
                let esc = String(decoding: s[(i + 1)...(i + 2)], as: UTF8.self).lowercased()
                let keep = esc == "20" || esc == "7f" || "0189abcdef".contains(esc.first!)
                if !keep, (2...7).contains(h) { out.append(h << 4 | l) } else if keep { /* dropped from characters? no: kept */ out.append(contentsOf: s[i...(i + 2)]) }
                i += 3
                continue
            }
            let b = s[i]
            if b <= 0x20 || b >= 0x7F || b == 0x22 || b == 0x25 || b == 0x3C || b == 0x3E {
                out.append(0x25); out.append(hexd[Int(b >> 4)]); out.append(hexd[Int(b & 15)])
            } else {
                out.append(b)
            }
            i += 1
        }
        return out
    }

    /// RegistryBoundaries::is_domain_valid (ASCII): no whitespace, ends in a valid TLD after a dot.
    public static func isDomainValid(_ dom: [UInt8]) -> Bool {
        let d = dom.map(TextURIExtractor.lower)
        if d.contains(where: UTF8Text.isASCIISpace) { return false }
        guard let dot = d.lastIndex(of: 0x2E), dot + 1 < d.count else { return false }
        return ValidTLDs.all.contains(String(decoding: d[(dot + 1)...], as: UTF8.self))
    }

    /// RegistryBoundaries::uri_to_domain: the host when it is a valid FQDN with a valid TLD
    /// or an IP address; nil otherwise.
    public static func uriHost(_ input: [UInt8]) -> [UInt8]? {
        var u = input.map(TextURIExtractor.lower)
        for p in ["javascript:", "cid:", "file:"] where u.starts(with: p.utf8) { return nil }
        if u.starts(with: "mailto:".utf8) {
            u.removeFirst(7)
            if let q = u.firstIndex(of: 0x3F) { u = Array(u[..<q]) }
            let ats = u.filter { $0 == 0x40 }.count
            if ats > 1 { return nil }
            guard let a = u.lastIndex(of: 0x40) else { return nil }
            u = Array(u[(a + 1)...])
        } else {
            var k = 0
            while k < u.count, (0x61...0x7A).contains(u[k]) { k += 1 }
            if k > 0, k < u.count, u[k] == 0x3A {
                k += 1
                var sl = 0
                while k < u.count, u[k] == 0x2F, sl < 2 { k += 1; sl += 1 }
                u = Array(u[k...])
            }
            if let e = u.firstIndex(where: { $0 == 0x2F || $0 == 0x3F || $0 == 0x23 }) { u = Array(u[..<e]) }
            if let a = u.lastIndex(of: 0x40) { u = Array(u[(a + 1)...]) }
            if let c = u.lastIndex(of: 0x3A), u[(c + 1)...].allSatisfy({ (0x30...0x39).contains($0) }) { u = Array(u[..<c]) }
        }
        // skip undecoded safe escapes
        var i = 0
        while i + 2 < u.count {
            if u[i] == 0x25, let h = ASCII.hexValue(u[i + 1]), let l = ASCII.hexValue(u[i + 2]) {
                let v = h << 4 | l
                if v >= 0x21 && v <= 0x7E { return nil }
            }
            i += 1
        }
        if isIPv4(u) || (u.contains(0x3A) && u.allSatisfy { ASCII.hexValue($0) != nil || $0 == 0x3A || $0 == 0x2E }) { return u }
        guard TextURIExtractor.isFQDNValid(u), isDomainValid(u) else { return nil }
        return u
    }

    static func isIPv4(_ u: [UInt8]) -> Bool {
        let parts = u.split(separator: 0x2E, omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in
            !p.isEmpty && p.count <= 3 && p.allSatisfy { (0x30...0x39).contains($0) } && Int(String(decoding: p, as: UTF8.self))! <= 255
        }
    }
}

extension UTF8Text {
    /// Perl `s/^\s+//; s/\s+$//` on octets.
    public static func trimUnicodeSpaceASCII(_ s: [UInt8]) -> ArraySlice<UInt8> {
        var lo = 0, hi = s.count
        while lo < hi, isASCIISpace(s[lo]) { lo += 1 }
        while hi > lo, isASCIISpace(s[hi - 1]) { hi -= 1 }
        return s[lo..<hi]
    }
}
