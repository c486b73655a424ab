/// URIs in rendered text as SpamAssassin 4.0.1 finds them (`PerMsgStatus::_tbirdurire` and
/// `_process_text_uri_list`): Thunderbird/Outlook-style linkification of `scheme://`, `www.`,
/// `ftp.`, `mailto:` and bare e-mail addresses, plus schemeless host names that end in a valid
/// TLD. Works on UTF-8 octets exactly as SpamAssassin does (its body text is octets, so
/// `\s`, `\b` and the `\xa0` delimiter are byte-wise).
public enum TextURIExtractor {
    /// A URI found in text, after SpamAssassin's scheme fix-ups (`http://`, `mailto:` added).
    public struct Found: Sendable, Equatable {
        public var uri: [UInt8]
        /// True for schemeless host names MUAs do not linkify (SA type `unlinked`).
        public var unlinked: Bool
    }

    @inline(__always) static func isWord(_ b: UInt8) -> Bool { UTF8Text.isWordByte(b) }
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { UTF8Text.isASCIISpace(b) }

    /// `><"\`}]{[|\s\x1b\xa0`
    @inline(__always) static func isEndDelim(_ b: UInt8) -> Bool {
        switch b {
        case 0x3E, 0x3C, 0x22, 0x60, 0x7D, 0x5D, 0x7B, 0x5B, 0x7C, 0x1B, 0xA0: return true
        default: return isSpace(b)
        }
    }
    /// end delimiters plus `,('` and non-ASCII (e-mail addresses).
    @inline(__always) static func isEndDelimEmail(_ b: UInt8) -> Bool {
        b >= 0x80 || b == 0x2C || b == 0x28 || b == 0x27 || isEndDelim(b)
    }
    /// `><"'\`,{[(|\s\x1b\xa0`
    @inline(__always) static func isStartDelim(_ b: UInt8) -> Bool {
        switch b {
        case 0x3E, 0x3C, 0x22, 0x27, 0x60, 0x2C, 0x7B, 0x5B, 0x28, 0x7C, 0x1B, 0xA0: return true
        default: return isSpace(b)
        }
    }
    /// schemeless start delimiters: ASCII punctuation except `%-._` plus space, ESC, 0xA0.
    @inline(__always) static func isSchemelessStartDelim(_ b: UInt8) -> Bool {
        switch b {
        case 0x21, 0x22, 0x23, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2F, 0x3A, 0x3B, 0x3C,
             0x3D, 0x3E, 0x3F, 0x40, 0x5B, 0x5C, 0x5D, 0x5E, 0x60, 0x7B, 0x7C, 0x7D, 0x7E, 0x1B, 0xA0:
            return true
        default: return isSpace(b)
        }
    }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    /// Whether `s` continues at `at` with the lowercase ASCII `p`, in any case.
    static func hasPrefixCI(_ s: [UInt8], _ at: Int, _ p: StaticString) -> Bool {
        let count = p.utf8CodeUnitCount
        guard at + count <= s.count else { return false }
        return p.withUTF8Buffer { p in
            for k in 0..<count where lower(s[at + k]) != p[k] { return false }
            return true
        }
    }

    /// Raw matches of the tbird regex in `s`: (raw text, kind, schemeless host).
    static func rawMatches(_ s: [UInt8]) -> [(raw: ArraySlice<UInt8>, kind: Int, host: ArraySlice<UInt8>?)] {
        var out: [(ArraySlice<UInt8>, Int, ArraySlice<UInt8>?)] = []
        let n = s.count
        var p = 0
        var addressStops = StopCache()
        while p < n {
            let prev: UInt8? = p > 0 ? s[p - 1] : nil
            let boundary = (prev.map(isWord) ?? false) != isWord(s[p])
            let afterShift = p >= 3 && s[p - 3] == 0x1B && s[p - 2] == 0x28
            guard boundary || afterShift || (prev.map(isStartDelim) ?? false) else { p += 1; continue }
            if let e = knownScheme(s, p) { out.append((s[p..<e], 0, nil)); p = e; continue }
            if let e = mailScheme(s, p, &addressStops) { out.append((s[p..<e], 1, nil)); p = e; continue }
            if prev == nil || isSchemelessStartDelim(prev!), let (e, h) = schemeless(s, p) {
                out.append((s[p..<e], 2, s[p..<h])); p = e; continue
            }
            p += 1
        }
        return out
    }

    static func run(_ s: [UInt8], from: Int, max: Int, stop: (UInt8) -> Bool) -> Int? {
        var e = from
        while e < s.count, !stop(s[e]) { e += 1 }
        let len = e - from
        return (len >= 1 && len <= max) ? e : nil
    }

    static func knownScheme(_ s: [UInt8], _ p: Int) -> Int? {
        // Every scheme starts with h, f or w: most positions are decided by one byte.
        let first = lower(s[p])
        guard first == 0x68 || first == 0x66 || first == 0x77 else { return nil }
        var q: Int?
        if hasPrefixCI(s, p, "http://") { q = p + 7 }
        else if hasPrefixCI(s, p, "https://") { q = p + 8 }
        else if hasPrefixCI(s, p, "ftp://") { q = p + 6 }
        else if hasPrefixCI(s, p, "ftp.") { q = p + 4 }
        else if hasPrefixCI(s, p, "www") {
            var k = p + 3
            while k < s.count, k < p + 5, (0x30...0x39).contains(s[k]) { k += 1 }
            // \d{0,2} backtracks: the dot must follow some digit count
            var found: Int?
            var m = k
            while m >= p + 3 { if m < s.count, s[m] == 0x2E { found = m + 1; break }; m -= 1 }
            q = found
        }
        guard let start = q else { return nil }
        return run(s, from: start, max: 2048, stop: isEndDelim)
    }

    /// Where the local part of an address starting at a position would stop (the first
    /// e-mail end delimiter or `@` at or after it). Positions are tried left to right and
    /// nothing in `from..<stop` stops the scan, so one scan serves them all.
    struct StopCache {
        var from = 0
        var stop = -1

        mutating func stop(in s: [UInt8], at p: Int) -> Int {
            if p >= from && p <= stop { return stop }
            var e = p
            while e < s.count, !(isEndDelimEmail(s[e]) || s[e] == 0x40) { e += 1 }
            from = p
            stop = e
            return e
        }
    }

    static func mailScheme(_ s: [UInt8], _ p: Int, _ stops: inout StopCache) -> Int? {
        if hasPrefixCI(s, p, "mailto:"), let e = run(s, from: p + 7, max: 2048, stop: isEndDelimEmail) { return e }
        // run(s, from: p, max: 251, stop: end delimiter or @), with the scan shared.
        let at = stops.stop(in: s, at: p)
        guard at - p >= 1, at - p <= 251, at < s.count, s[at] == 0x40 else { return nil }
        return run(s, from: at + 1, max: 251, stop: isEndDelimEmail)
    }

    @inline(__always) static func isHostByte(_ b: UInt8) -> Bool {
        let l = lower(b)
        return (l >= 0x61 && l <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2E || b == 0x5F || b == 0x2D
    }
    @inline(__always) static func isLabelByte(_ b: UInt8) -> Bool {
        let l = lower(b)
        return (l >= 0x61 && l <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D
    }

    /// Returns (match end, host end).
    static func schemeless(_ s: [UInt8], _ p: Int) -> (Int, Int)? {
        let n = s.count
        let f = lower(s[p])
        guard (f >= 0x61 && f <= 0x7A) || (s[p] >= 0x30 && s[p] <= 0x39) else { return nil }
        var runEnd = p + 1
        while runEnd < n, runEnd - p < 252 + 64, isHostByte(s[runEnd]) { runEnd += 1 }
        // candidate dots from right to left (greedy backtracking)
        var d = runEnd - 1
        while d > p {
            if s[d] == 0x2E, d - p <= 252 {
                // TLD: maximal label after the dot, in the valid list, not followed by .alnum
                var e = d + 1
                while e < n, isLabelByte(s[e]) { e += 1 }
                if e > d + 1, !(e + 1 < n && s[e] == 0x2E && isAlnum(s[e + 1])) {
                    let tld = String(decoding: s[(d + 1)..<e].map(lower), as: UTF8.self)
                    if ValidTLDs.all.contains(tld), let end = schemelessTail(s, e) { return (end, e) }
                }
            }
            d -= 1
        }
        return nil
    }

    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isWord(b) && b != 0x5F }

    /// `\.?(?::\d{1,5})?(?:/[^enddelim]{1,2048})?(?=[enddelim]|\z)` with backtracking.
    static func schemelessTail(_ s: [UInt8], _ q: Int) -> Int? {
        let n = s.count
        func ok(_ i: Int) -> Bool { i >= n || isEndDelim(s[i]) }
        let dots = (q < n && s[q] == 0x2E) ? [q + 1, q] : [q]
        for a in dots {
            var ports: [Int] = []
            if a < n, s[a] == 0x3A {
                var k = a + 1
                while k < n, k - a <= 5, (0x30...0x39).contains(s[k]) { k += 1 }
                if k > a + 1 { ports.append(contentsOf: stride(from: k, to: a + 1, by: -1)) }
            }
            ports.append(a)
            for b in ports {
                if b < n, s[b] == 0x2F, let e = run(s, from: b + 1, max: 2048, stop: isEndDelim), ok(e) { return e }
                if ok(b) { return b }
            }
        }
        return nil
    }

    /// URIs found in `lines` (SpamAssassin's rendered body paragraphs), deduplicated by raw
    /// text across lines, with scheme fix-ups applied; mail URIs with invalid domains dropped.
    public static func extract(_ lines: [[UInt8]]) -> [Found] {
        var seen: Set<BytesKey> = []
        var result: [Found] = []
        for line in lines {
            for (rawSlice, kind, host) in rawMatches(line) {
                var raw = Array(rawSlice)
                // s/(^[^(]*)\).*$/$1/
                if let close = raw.firstIndex(of: 0x29), !raw[..<close].contains(0x28) { raw = Array(raw[..<close]) }
                // s/[-~!@#^&*()_+=:;\'?,.]*$//
                while let l = raw.last, "-~!@#^&*()_+=:;'?,.".utf8.contains(l) { raw.removeLast() }
                if !seen.insert(BytesKey(raw)).inserted { continue }
                if kind == 1 && !raw.contains(0x40) { continue }
                if let h = host, !isFQDNValid(Array(h)) { continue }
                if hasPrefixCI(raw, 0, "cid:") || hasPrefixCI(raw, 0, "mid:") { continue }
                if isEmptyURI(raw) { continue }
                var uri = raw
                var unlinked = false
                let lowerStart = String(decoding: raw.prefix(7).map(lower), as: UTF8.self)
                if !(lowerStart.hasPrefix("http:") || lowerStart.hasPrefix("https:") || lowerStart.hasPrefix("ftp:") || lowerStart.hasPrefix("mailto:")) {
                    if hasPrefixCI(raw, 0, "ftp.") {
                        uri = Array("ftp://".utf8) + raw
                    } else if isWWW(raw) {
                        uri = Array("http://".utf8) + raw
                    } else if let slash = raw.firstIndex(of: 0x2F), raw[(slash + 1)...].dropFirst().contains(0x40) {
                        uri = Array("http://".utf8) + raw
                    } else if let at = raw.firstIndex(of: 0x40) {
                        // /\@.+?\./
                        guard raw.count > at + 2, raw[(at + 2)...].contains(0x2E) else { continue }
                        if raw.find(Array("&nbsp;".utf8), from: 0) != nil { continue }
                        var r = raw[...]
                        // s/^(?:skype|e?-?mail)?:+//i
                        let l = String(decoding: r.prefix(8).map(lower), as: UTF8.self)
                        for pre in ["skype", "e-mail", "email", "-mail", "mail", ""] where l.hasPrefix(pre + ":") {
                            r = r.dropFirst(pre.count)
                            while r.first == 0x3A { r = r.dropFirst() }
                            break
                        }
                        uri = Array("mailto:".utf8) + r
                    } else {
                        if !raw.contains(0x2E) { continue }
                        uri = Array("http://".utf8) + raw
                        unlinked = true
                    }
                }
                if hasPrefixCI(uri, 0, "mailto:") {
                    if URICanonicalizer.hasPercentEscape(uri) { uri = URICanonicalizer.urlEncode(uri) }
                    guard let at = uri.firstIndex(of: 0x40) else { continue }
                    var h = Array(uri[(at + 1)...].prefix { $0 != 0x3F && $0 != 0x26 && $0 != 0x3E })
                    while h.count >= 3, h.suffix(3).elementsEqual("%20".utf8) { h.removeLast(3) }
                    guard URICanonicalizer.isDomainValid(h) else { continue }
                }
                result.append(Found(uri: uri, unlinked: unlinked))
            }
        }
        return result
    }

    /// `^www\d{0,2}\.`
    static func isWWW(_ s: [UInt8]) -> Bool {
        guard hasPrefixCI(s, 0, "www") else { return false }
        var k = 3
        while k < s.count, k < 5, (0x30...0x39).contains(s[k]) { k += 1 }
        return k < s.count && s[k] == 0x2E
    }

    /// `^\w+:\/{0,2}$`
    static func isEmptyURI(_ s: [UInt8]) -> Bool {
        var i = 0
        while i < s.count, isWord(s[i]) { i += 1 }
        guard i > 0, i < s.count, s[i] == 0x3A else { return false }
        let rest = s[(i + 1)...]
        return rest.count <= 2 && rest.allSatisfy { $0 == 0x2F }
    }

    /// Util::is_fqdn_valid (ASCII form).
    public static func isFQDNValid(_ host: [UInt8]) -> Bool {
        var h = host.map(lower)
        while h.last == 0x2E { h.removeLast() }
        guard h.count <= 253 else { return false }
        let labels = h.split(separator: 0x2E, omittingEmptySubsequences: false)
        var cnt = labels.count
        guard cnt > 1 else { return false }
        for label in labels {
            guard label.count >= 1, label.count <= 63 else { return false }
            let ok: (UInt8) -> Bool = { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
            guard ok(label.first!), ok(label.last!), label.allSatisfy({ ok($0) || $0 == 0x2D }) else { return false }
            if cnt <= 2, label.contains(0x5F) { return false }
            cnt -= 1
        }
        return true
    }
}
