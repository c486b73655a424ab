import Foundation

/// HTML → text as SpamAssassin 4.0.1 renders it (`Mail::SpamAssassin::HTML` over
/// `HTML::Parser`), working on UTF-8 bytes.
///
/// Input must already be charset-decoded to UTF-8 (SpamAssassin feeds HTML::Parser Unicode
/// characters when `normalize_charset` is on, its default). Tokenising follows HTML::Parser's
/// tolerant rules: `<` not followed by a tag start is text, `<script>`/`<style>`/`<xmp>`/
/// `<plaintext>`/`<textarea>`/`<title>` contents are literal up to their end tag, entities are
/// decoded in text and attribute values. Rendering follows HTML.pm: `br`/`div` break lines,
/// `p`/`hr`/`blockquote`/`pre`/`title`… break paragraphs, `li`/`td`/`th`/`dt`/`dd`/`h1-6` add a
/// space, scripts and styles are dropped, whitespace runs in text become one space.
public struct HTMLRenderer {
    public static func render(_ input: [UInt8]) -> HTMLRendering {
        var r = HTMLRenderer()
        r.summary.isHTML = true
        r.summary.length = UTF8Text.characterCount(input)
        let text = preprocess(input)
        r.parse(text)
        r.finish()
        return r.result()
    }

    // MARK: state
    var summary = HTMLSummary()
    var chunks: [[UInt8]] = []
    var chunkWhitespace: [Bool] = []
    var chunkInvisible: [Bool] = []
    var styles: [TextStyle] = [TextStyle()]
    var basefont = 3
    var obfuscation = 0
    var backhair: Set<String> = []
    var anchorLast: [UInt8] = []
    var baseHref: [UInt8]?
    var uriIndex: [BytesKey: Int] = [:]
    var titleIndex = -1

    struct TextStyle {
        var tag = "default"
        var fg = "#000000"
        var bg = "#ffffff"
        var size = 3
        var display: String?
        var visibility: String?
    }

    // MARK: preprocessing (HTML.pm parse())
    /// `&nbsp;` → space, `<tag/>` → `<tag>`, U+201C/U+201D → `"`.
    static func preprocess(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        let nbsp: [UInt8] = Array("&nbsp;".utf8)
        var i = 0
        let n = s.count
        while i < n {
            let b = s[i]
            if b == 0x26, s.hasBytes(nbsp, at: i, end: n) {
                out.append(0x20); i += 6; continue
            }
            if b == 0xE2, i + 2 < n, s[i + 1] == 0x80, s[i + 2] == 0x9C || s[i + 2] == 0x9D {
                out.append(0x22); i += 3; continue
            }
            if b == 0x3C {
                // <(\w+)\s*/>  →  <$1>
                var j = i + 1
                while j < n, UTF8Text.isWordByte(s[j]) { j += 1 }
                if j > i + 1 {
                    var k = j
                    while k < n, UTF8Text.isASCIISpace(s[k]) { k += 1 }
                    if k + 1 < n, s[k] == 0x2F, s[k + 1] == 0x3E {
                        out.append(contentsOf: s[i..<j]); out.append(0x3E)
                        i = k + 2; continue
                    }
                }
            }
            out.append(b); i += 1
        }
        return out
    }

    // MARK: tokenizer (HTML::Parser semantics, simplified)
    mutating func parse(_ s: [UInt8]) {
        let n = s.count
        var i = 0
        var textStart = 0
        func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
        while i < n {
            guard s[i] == 0x3C, i + 1 < n else { i += 1; continue }
            let c = s[i + 1]
            var end: Int? = nil
            var kind = 0   // 1 start, 2 end, 3 comment, 4 decl/pi
            if isAlpha(c) {
                end = Self.tagEnd(s, from: i + 2); kind = 1
            } else if c == 0x2F, i + 2 < n, isAlpha(s[i + 2]) {
                end = s.firstIndex(of: 0x3E, from: i + 2); kind = 2
            } else if c == 0x21 {
                if i + 3 < n, s[i + 2] == 0x2D, s[i + 3] == 0x2D {
                    if let e = s.find(Array("-->".utf8), from: i + 4) { end = e + 2 } else { end = nil }
                    kind = 3
                } else {
                    end = s.firstIndex(of: 0x3E, from: i + 2); kind = 4
                }
            } else if c == 0x3F {
                end = s.firstIndex(of: 0x3E, from: i + 2); kind = 4
            }
            guard let e = end, kind != 0 else { i += 1; continue }
            if textStart < i { text(Array(s[textStart..<i])) }
            switch kind {
            case 1:
                let (name, attrs) = Self.parseStartTag(s, i + 1, e)
                tag(name, attrs, open: true)
                if Self.literalElements.contains(name) {
                    // Contents are literal up to </name
                    let close = Array("</\(name)".utf8)
                    var j = e + 1
                    var found: Int? = nil
                    while let k = s.findCaseInsensitive(close, from: j) {
                        let after = k + close.count
                        if after >= n || !UTF8Text.isWordByte(s[after]) { found = k; break }
                        j = k + 1
                    }
                    let contentEnd = found ?? n
                    if e + 1 < contentEnd {
                        let raw = Array(s[(e + 1)..<contentEnd])
                        text(name == "title" || name == "textarea" ? HTMLEntities.decode(raw) : raw, decoded: true)
                    }
                    if let k = found {
                        let ce = s.firstIndex(of: 0x3E, from: k) ?? (n - 1)
                        tag(name, [:], open: false)
                        i = ce + 1
                    } else {
                        i = n
                    }
                    textStart = i
                    continue
                }
            case 2:
                var j = i + 2
                while j < e, !UTF8Text.isASCIISpace(s[j]), s[j] != 0x3E, s[j] != 0x2F || j == i + 2 { j += 1 }
                tag(String(decoding: s[(i + 2)..<j], as: UTF8.self).lowercased(), [:], open: false)
            case 3:
                summary.comments.append(Array(s[i...e]))
            default:
                let t = s[i...e]
                if t.count >= 9, String(decoding: t.prefix(9), as: UTF8.self).lowercased() == "<!doctype" {
                    summary.elements += 1; summary.tags += 1; summary.inside["!doctype"] = 0
                }
            }
            i = e + 1
            textStart = i
        }
        if textStart < n { text(Array(s[textStart..<n])) }
    }

    static let literalElements: Set<String> = ["script", "style", "xmp", "plaintext", "textarea", "title"]

    /// Index of the `>` closing a start tag that begins at `from`, skipping quoted values.
    static func tagEnd(_ s: [UInt8], from: Int) -> Int? {
        var i = from
        var quote: UInt8 = 0
        var prevEq = false
        while i < s.count {
            let b = s[i]
            if quote != 0 {
                if b == quote { quote = 0 }
            } else if b == 0x3E {
                return i
            } else if (b == 0x22 || b == 0x27) && prevEq {
                quote = b
            }
            if !UTF8Text.isASCIISpace(b) { prevEq = (b == 0x3D) }
            i += 1
        }
        // Unterminated quote: HTML::Parser falls back to the first '>'
        return s.firstIndex(of: 0x3E, from: from)
    }

    /// Tag name (lowercase) and attributes (names lowercase, values entity-decoded).
    static func parseStartTag(_ s: [UInt8], _ start: Int, _ end: Int) -> (String, [String: [UInt8]]) {
        var i = start
        while i < end, !UTF8Text.isASCIISpace(s[i]), s[i] != 0x2F || i == start { i += 1 }
        let name = String(decoding: s[start..<i], as: UTF8.self).lowercased()
        var attrs: [String: [UInt8]] = [:]
        while i < end {
            while i < end, UTF8Text.isASCIISpace(s[i]) || s[i] == 0x2F { i += 1 }
            let ns = i
            while i < end, !UTF8Text.isASCIISpace(s[i]), s[i] != 0x3D, s[i] != 0x3E { i += 1 }
            if i == ns { i += 1; continue }
            let an = String(decoding: s[ns..<i], as: UTF8.self).lowercased()
            var j = i
            while j < end, UTF8Text.isASCIISpace(s[j]) { j += 1 }
            var value: [UInt8]
            if j < end, s[j] == 0x3D {
                j += 1
                while j < end, UTF8Text.isASCIISpace(s[j]) { j += 1 }
                if j < end, s[j] == 0x22 || s[j] == 0x27 {
                    let q = s[j]
                    var k = j + 1
                    while k < end, s[k] != q { k += 1 }
                    value = Array(s[(j + 1)..<k])
                    i = min(k + 1, end)
                } else {
                    var k = j
                    while k < end, !UTF8Text.isASCIISpace(s[k]) { k += 1 }
                    value = Array(s[j..<k])
                    i = k
                }
                value = HTMLEntities.decode(value)
            } else {
                value = Array(an.utf8)   // boolean attribute: HTML::Parser sets value = name
                i = j
            }
            if attrs[an] == nil { attrs[an] = value }
        }
        return (name, attrs)
    }

    // MARK: HTML.pm handlers
    static let elementNames: Set<String> = Set(("a abbr acronym address area b base bdo big blockquote body br button caption cite code col colgroup dd del dfn div dl dt em fieldset form h1 h2 h3 h4 h5 h6 head hr html i img input ins kbd label legend li link map meta noscript object ol optgroup option p param pre q samp script select small span strong style sub sup table tbody td textarea tfoot th thead title tr tt ul var "
        + "applet basefont center dir font frame frameset iframe isindex menu noframes s strike u nobr x-sigsep x-tab").split(separator: " ").map(String.init))
    static let tricks: Set<String> = ["bgsound", "embed", "listing", "plaintext", "xmp"]
    static let textStyleElements: Set<String> = ["body", "font", "table", "tr", "th", "td", "big", "small", "basefont", "marquee", "span", "p", "div", "a"]
    static let whitespaceElements: Set<String> = Set("br div li th td dt dd p hr blockquote pre embed listing plaintext xmp title h1 h2 h3 h4 h5 h6".split(separator: " ").map(String.init))
    static let uriElements: Set<String> = Set("body table tr td a area link img frame iframe embed script form base bgsound meta".split(separator: " ").map(String.init))

    mutating func tag(_ name: String, _ attrs: [String: [UInt8]], open: Bool) {
        let num = open ? 1 : -1
        let maybeNamespace = Self.isNamespaceTag(name)
        let wasInside = summary.inside[name] != nil
        if Self.elementNames.contains(name) || maybeNamespace {
            summary.elements += 1
            if !wasInside { summary.elementsSeen += 1 }
        }
        summary.tags += 1
        if !wasInside { summary.tagsSeen += 1 }
        var v = (summary.inside[name] ?? 0) + num
        if v < 0 { v = 0; summary.closedExtra += 1 }
        summary.inside[name] = v
        if maybeNamespace { return }
        guard Self.elementNames.contains(name) || Self.tricks.contains(name) else { return }
        if Self.textStyleElements.contains(name) { textStyle(name, attrs, open: open) }
        if Self.whitespaceElements.contains(name) { whitespace(name) }
        if open {
            if Self.uriElements.contains(name) { htmlURI(name, attrs) }
            htmlTests(name, attrs)
        } else {
            if name == "html" { summary.closedHTML = true }
            if name == "body" { summary.closedBody = true }
        }
    }

    static func isNamespaceTag(_ name: String) -> Bool {
        // m@^(?:o|st\d):[\w-]+/?$@
        let u = Array(name.utf8)
        var i = 0
        if u.first == 0x6F { i = 1 } else if u.count > 2, u[0] == 0x73, u[1] == 0x74, (0x30...0x39).contains(u[2]) { i = 3 } else { return false }
        guard i < u.count, u[i] == 0x3A else { return false }
        var rest = u[(i + 1)...]
        if rest.last == 0x2F { rest = rest.dropLast() }
        return !rest.isEmpty && rest.allSatisfy { UTF8Text.isWordByte($0) || $0 == 0x2D }
    }

    mutating func whitespace(_ name: String) {
        switch name {
        case "br", "div": displayText(Array("\n".utf8), whitespace: true)
        case "li", "th", "td", "dt", "dd", "embed", "h1", "h2", "h3", "h4", "h5", "h6":
            displayText([0x20], whitespace: true)
        default: displayText(Array("\n\n".utf8), whitespace: true)
        }
    }

    mutating func textStyle(_ rawName: String, _ attrs: [String: [UInt8]], open: Bool) {
        let name = rawName == "th" ? "td" : rawName
        guard open else {
            if name != "body" { closeTag(name) }
            return
        }
        if name == "basefont", let size = attrs["size"], let n = Self.leadingInt(size, signed: false) {
            basefont = n; return
        }
        if name == "td" || name == "tr" { closeTableTag(name) }
        var new = styles[styles.count - 1]
        new.tag = name
        if name == "big" { new.size += 1; styles.append(new); return }
        if name == "small" { new.size -= 1; styles.append(new); return }
        let ok = Self.okAttributes[name] ?? []
        for (an, value) in attrs where ok.contains(an) {
            switch an {
            case "text", "color": new.fg = HTMLColor.nameToRGB(String(decoding: value, as: UTF8.self))
            case "size":
                let sv = Array(value.drop { UTF8Text.isASCIISpace($0) })
                if let f = sv.first, f == 0x2B || f == 0x2D, let d = Self.leadingInt(Array(sv.dropFirst()), signed: false), sv.count > 1, (0x30...0x39).contains(sv[1]) {
                    new.size = basefont + (f == 0x2D ? -d : d)
                } else if let d = Self.leadingInt(sv, signed: false) {
                    new.size = d
                }
            case "style":
                for part in String(decoding: value, as: UTF8.self).split(separator: ";", omittingEmptySubsequences: false) {
                    let p = part.trimmingCharacters(in: " \t\r\n")
                    // `background: …` shorthand (case as written, no space before the colon)
                    if p.hasPrefix("background:"), let color = HTMLCSSBackground.color(
                        p.dropFirst(11).trimmingCharacters(in: " \t\r\n")) {
                        new.bg = color
                        continue
                    }
                    guard let colon = p.firstIndex(of: ":") else { continue }
                    let key = p[..<colon].trimmingCharacters(in: " \t").lowercased()
                    var val = p[p.index(after: colon)...].trimmingCharacters(in: " \t").lowercased()
                    if key == "color" || key == "background-color" {
                        if val.hasSuffix("important") { val = val.replacingSuffixImportant() }
                        let target: String
                        if val.contains("rgb") {
                            let nums = val.filter { $0.isASCII && ($0.isNumber || $0 == ",") }.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
                            var rgb = Array(nums.prefix(3)); while rgb.count < 3 { rgb.append(0) }
                            target = "#" + rgb.map { Self.hex2(min(max($0, 0), 255)) }.joined()
                        } else if val == "inherit" { continue }
                        else if val == "transparent" { target = val }
                        else { target = HTMLColor.nameToRGB(val) }
                        if key == "color" { new.fg = target } else { new.bg = target }
                    } else if key == "display" { new.display = val }
                    else if key == "visibility" { new.visibility = val }
                }
                if new.bg == "transparent" { new.bg = styles[styles.count - 1].bg }
                if new.fg == "transparent" { new.fg = new.bg }
            default: break   // bgcolor attribute does not change the style in SA 4.0.1
            }
            if new.size > summary.maxSize { summary.maxSize = new.size } else if new.size < summary.minSize { summary.minSize = new.size }
        }
        styles.append(new)
    }

    static func hex2(_ v: Int) -> String {
        let d = Array("0123456789abcdef")
        return String([d[v >> 4], d[v & 15]])
    }

    static let okAttributes: [String: Set<String>] = [
        "basefont": ["color", "face", "size"], "body": ["text", "bgcolor", "link", "alink", "vlink", "background"],
        "font": ["color", "face", "size"], "marquee": ["bgcolor", "background"], "table": ["bgcolor", "style"],
        "td": ["bgcolor", "style"], "th": ["bgcolor", "style"], "tr": ["bgcolor", "style"], "span": ["style"],
        "p": ["style"], "div": ["style"], "a": ["style"],
    ]

    static func leadingInt(_ v: [UInt8], signed: Bool) -> Int? {
        var i = 0
        while i < v.count, UTF8Text.isASCIISpace(v[i]) { i += 1 }
        var n = 0
        let s = i
        while i < v.count, (0x30...0x39).contains(v[i]), i - s < 9 { n = n * 10 + Int(v[i] - 0x30); i += 1 }
        return i > s ? n : nil
    }

    mutating func closeTableTag(_ name: String) {
        guard styles.contains(where: { $0.tag == name }) else { return }
        while let top = styles.last?.tag, styles.count > 0 {
            if (name == "td" && (top == "font" || top == "td")) || (name == "tr" && (top == "font" || top == "td" || top == "tr")) {
                styles.removeLast()
            } else { break }
        }
        if styles.isEmpty { styles = [TextStyle()] }
    }

    mutating func closeTag(_ name: String) {
        guard styles.contains(where: { $0.tag == name }) else { return }
        while let cur = styles.popLast() { if cur.tag == name { break } }
        if styles.isEmpty { styles = [TextStyle()] }
    }

    mutating func pushURI(_ type: String, _ raw: [UInt8]) {
        let uri = Self.canonURI(raw)
        guard !uri.isEmpty else { return }
        let target: [UInt8]
        let lower = String(decoding: uri.prefix(5), as: UTF8.self).lowercased()
        if lower.hasPrefix("data:") || lower.hasPrefix("mailto") && uri.count > 6 && uri[6] == 0x3A || lower.hasPrefix("file:") || lower.hasPrefix("cid:") || lower.hasPrefix("tel:") {
            target = uri
        } else {
            target = URIResolver.targetURI(base: baseHref ?? [], relative: uri)
            if target.isEmpty { return }
        }
        addURI(target, type: type)
    }

    mutating func addURI(_ uri: [UInt8], type: String?) {
        if let i = uriIndex[BytesKey(uri)] {
            if let type { summary.uris[i].types.insert(type) }
        } else {
            uriIndex[BytesKey(uri)] = summary.uris.count
            summary.uris.append(HTMLURI(uri: uri, types: type.map { [$0] } ?? [], anchorTexts: []))
        }
    }

    static func canonURI(_ raw: [UInt8]) -> [UInt8] {
        var u = UTF8Text.trimUnicodeSpace(raw)
        if u.count > 8192 { u = Array(u.prefix(8192)) }
        return u
    }

    mutating func htmlURI(_ name: String, _ attrs: [String: [UInt8]]) {
        switch name {
        case "body", "table", "tr", "td":
            if let v = attrs["background"] { pushURI(name, v) }
        case "a", "area", "link":
            var href = attrs["href"]
            for (k, v) in attrs where k.hasSuffix("/href") && k.count > 5 { href = v }
            if var h = href {
                h = h.removingSequence([0xEF, 0xBB, 0xBF])
                pushURI(name, h)
            }
            if let v = attrs["data-saferedirecturl"] { pushURI(name, v) }
        case "img", "frame", "iframe", "embed", "script", "bgsound":
            var src = attrs["src"]
            for (k, v) in attrs where k.hasSuffix("/src") && k.count > 4 { src = v }
            if let v = src { pushURI(name, v) }
        case "form":
            if let v = attrs["action"] { pushURI(name, v) }
        case "base":
            if let v = attrs["href"], !v.isEmpty, v != [0x30] {
                let uri = Self.canonURI(v)
                pushURI(name, uri)
                let s = String(decoding: uri, as: UTF8.self)
                let l = s.lowercased()
                if l.hasPrefix("http:") || l.hasPrefix("https:") || l.hasPrefix("ftp:") {
                    var b = Self.stripBaseFilename(s)
                    if !b.hasSuffix("/") { b += "/" }
                    baseHref = Array(b.utf8)
                }
            }
        case "meta":
            if let he = attrs["http-equiv"], let content = attrs["content"],
               String(decoding: he, as: UTF8.self).lowercased().contains("refresh") {
                let c = String(decoding: content, as: UTF8.self)
                if let u = Self.metaRefreshURL(c) {
                    pushURI(name, Array(u.utf8))
                }
            }
        default: break
        }
    }

    /// `s@^([a-z]+:/{0,2}[^/]+/.*?)[^/\.]+\.[^/\.]{2,4}$@$1@i`
    static func stripBaseFilename(_ s: String) -> String {
        if hasBaseFilename(s) {
            // keep everything up to the last '/'
            if let slash = s.lastIndex(of: "/") { return String(s[...slash]) }
        }
        return s
    }

    typealias ICU = ICUScalarClasses

    /// Whether `^([a-zA-Z]+:/{0,2}[^/]+/.*?)[^/.]+\.[^/.]{2,4}$` (ICU) matches.
    static func hasBaseFilename(_ s: String) -> Bool {
        let a = Array(s.unicodeScalars)
        let n = a.count
        func isLetter(_ c: Unicode.Scalar) -> Bool { (0x41...0x5A).contains(c.value) || (0x61...0x7A).contains(c.value) }
        var i = 0
        while i < n, isLetter(a[i]) { i += 1 }
        guard i > 0, i < n, a[i] == ":" else { return false }
        i += 1
        var slashes = 0
        while i < n, a[i] == "/" { i += 1; slashes += 1 }
        guard slashes <= 2 else { return false }
        let hostStart = i
        while i < n, a[i] != "/" { i += 1 }
        guard i > hostStart, i < n else { return false }
        let p = i + 1  // after the '/'
        // first line terminator at or after p (`.*?` cannot cross it)
        var firstTerm = n
        var k = p
        while k < n { if ICU.isLineTerminator(a[k]) { firstTerm = k; break }; k += 1 }
        func isNotSlashDot(_ c: Unicode.Scalar) -> Bool { c != "/" && c != "." }
        for e in ICU.endPositions(a) {
            for len in 2...4 {
                let dot = e - len - 1
                guard dot - 1 >= p else { continue }
                guard a[(dot + 1)..<e].allSatisfy(isNotSlashDot), a[dot] == "." else { continue }
                // [^/.]+ is a[q..<dot] for some q in p...dot-1 with a[p..<q] free of terminators
                var lastBad = p - 1
                var j = dot - 1
                while j >= p { if !isNotSlashDot(a[j]) { lastBad = j; break }; j -= 1 }
                let lo = max(p, lastBad + 1)
                let hi = min(dot - 1, firstTerm)
                if lo <= hi { return true }
            }
        }
        return false
    }

    /// The URL of a refresh `content`: after the first `\burl\s*=\s*` (ICU, caseless), up to
    /// the first `\s*;`; nil without one.
    static func metaRefreshURL(_ c: String) -> String? {
        let a = Array(c.unicodeScalars)
        let n = a.count
        var p = 0
        while p + 3 <= n {
            if ICU.hasLiteral(a, at: p, "url", caseless: true), ICU.isBoundary(a, p) {
                var i = p + 3
                while i < n, ICU.isSpace(a[i]) { i += 1 }
                if i < n, a[i] == "=" {
                    i += 1
                    while i < n, ICU.isSpace(a[i]) { i += 1 }
                    // up to the whitespace run before the first ';'
                    var end = n
                    if let semi = a[i...].firstIndex(of: ";") {
                        end = semi
                        while end > i, ICU.isSpace(a[end - 1]) { end -= 1 }
                    }
                    return ICU.string(a, i..<end)
                }
            }
            p += 1
        }
        return nil
    }

    /// The text of the first `\bcharset\s*=\s*["']?[^"']+` (ICU, caseless) match in `c`.
    static func metaCharsetMatch(_ c: String) -> String? {
        let a = Array(c.unicodeScalars)
        let n = a.count
        func isQuote(_ x: Unicode.Scalar) -> Bool { x == "\"" || x == "'" }
        func runEnd(_ from: Int) -> Int {
            var j = from
            while j < n, !isQuote(a[j]) { j += 1 }
            return j
        }
        var p = 0
        while p + 7 <= n {
            if ICU.hasLiteral(a, at: p, "charset", caseless: true), ICU.isBoundary(a, p) {
                var i = p + 7
                while i < n, ICU.isSpace(a[i]) { i += 1 }
                if i < n, a[i] == "=" {
                    let e = i + 1
                    var w = e
                    while w < n, ICU.isSpace(a[w]) { w += 1 }
                    if w < n, isQuote(a[w]), w + 1 < n, !isQuote(a[w + 1]) { return ICU.string(a, p..<runEnd(w + 1)) }
                    if w < n, !isQuote(a[w]) { return ICU.string(a, p..<runEnd(w)) }
                    if w > e { return ICU.string(a, p..<runEnd(w - 1)) }
                }
            }
            p += 1
        }
        return nil
    }

    /// Whether a font face matches
    /// `^\s*["'.]?[a-z ][a-z -]*[a-z]\d?["']?(?:,\s*["']?[a-z][a-z -]*[a-z]\d?["']?)*;?$` (ICU, caseless).
    static func isGoodFontFace(_ f: String) -> Bool {
        let a = Array(f.unicodeScalars)
        let n = a.count
        typealias Set = Swift.Set<Int>
        func step(_ s: Set, _ cls: (Unicode.Scalar) -> Bool) -> Set {
            var out = Set()
            for p in s where p < n && cls(a[p]) { out.insert(p + 1) }
            return out
        }
        func opt(_ s: Set, _ cls: (Unicode.Scalar) -> Bool) -> Set { s.union(step(s, cls)) }
        func star(_ s: Set, _ cls: (Unicode.Scalar) -> Bool) -> Set {
            var all = s
            var frontier = s
            while !frontier.isEmpty {
                frontier = step(frontier, cls).subtracting(all)
                all.formUnion(frontier)
            }
            return all
        }
        let letter: (Unicode.Scalar) -> Bool = { ICU.isLowerASCIILetter($0, caseless: true) }
        let letterSpace: (Unicode.Scalar) -> Bool = { $0 == " " || letter($0) }
        let letterSpaceDash: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "-" || letter($0) }
        let quote: (Unicode.Scalar) -> Bool = { $0 == "\"" || $0 == "'" }
        // [a-z -]*[a-z]\d?["']?
        func tail(_ s: Set) -> Set {
            opt(opt(step(star(s, letterSpaceDash), letter), ICU.isDigit), quote)
        }
        var s = star([0], ICU.isSpace)
        s = opt(s, { quote($0) || $0 == "." })
        s = tail(step(s, letterSpace))
        // (?:,\s*["']?[a-z][a-z -]*[a-z]\d?["']?)*
        var all = s
        var frontier = s
        while !frontier.isEmpty {
            let next = tail(step(opt(star(step(frontier, { $0 == "," }), ICU.isSpace), quote), letter))
            frontier = next.subtracting(all)
            all.formUnion(frontier)
        }
        s = opt(all, { $0 == ";" })
        return s.contains { ICU.isEnd(a, $0) }
    }

    mutating func htmlTests(_ name: String, _ attrs: [String: [UInt8]]) {
        if name == "font", let face = attrs["face"] {
            let f = String(decoding: face, as: UTF8.self)
            if !Self.isGoodFontFace(f) {
                summary.fontFaceBad = true
            }
        }
        if name == "img", (summary.inside["a"] ?? 0) > 0 {
            appendAnchorText(Array("<img>\n".utf8))
        }
        if name == "img", let w = attrs["width"], let h = attrs["height"] {
            var width = Self.dimension(w, percent: 8)
            var height = Self.dimension(h, percent: 6)
            if width <= 0 { width = 200 }
            if height <= 0 { height = 200 }
            summary.imageArea += width * height
        }
        if name == "form", let a = attrs["action"], String(decoding: a, as: UTF8.self).lowercased().contains("mailto:") {
            summary.formActionMailto = true
        }
        if name == "object" || name == "embed" { summary.embeds = true }
        if name == "a" {
            anchorLast = attrs["href"].map(Self.canonURI) ?? []
            addURI(anchorLast, type: nil)
            summary.uris[uriIndex[BytesKey(anchorLast)]!].anchorTexts.append([])
            summary.anchors.append([])
        }
        if name == "title" {
            titleIndex += 1
            summary.titles.append([])
        }
        if name == "meta", let he = attrs["http-equiv"], let content = attrs["content"],
           String(decoding: he, as: UTF8.self).lowercased().contains("content-type") {
            let c = String(decoding: content, as: UTF8.self)
            if let match = Self.metaCharsetMatch(c) {
                var v = match
                v = String(v[v.index(after: v.firstIndex(of: "=")!)...]).trimmingCharacters(in: " \t\"'")
                summary.metaCharsets.append(v)
            }
        }
    }

    /// `^(\d+)(\%)?$`, percent scaled; anything else 0.
    static func dimension(_ v: [UInt8], percent: Int) -> Int {
        var digits = v[...]
        var pct = false
        if digits.last == 0x25 { pct = true; digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count < 10, digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return 0 }
        let n = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return pct ? n * percent : n
    }

    mutating func appendAnchorText(_ t: [UInt8]) {
        if let i = uriIndex[BytesKey(anchorLast)], !summary.uris[i].anchorTexts.isEmpty {
            summary.uris[i].anchorTexts[summary.uris[i].anchorTexts.count - 1].append(contentsOf: t)
        }
        if !summary.anchors.isEmpty { summary.anchors[summary.anchors.count - 1].append(contentsOf: t) }
    }

    mutating func text(_ raw: [UInt8], decoded: Bool = false) {
        let t = decoded ? raw : HTMLEntities.decode(raw)
        if (summary.inside["script"] ?? 0) > 0 { summary.scripts.append(t); return }
        if (summary.inside["style"] ?? 0) > 0 { return }
        if (summary.inside["a"] ?? 0) > 0 { appendAnchorText(t) }
        if (summary.inside["title"] ?? 0) > 0, titleIndex >= 0, titleIndex < summary.titles.count {
            summary.titles[titleIndex].append(contentsOf: t)
        }
        var invisible = false
        if t.contains(where: { !UTF8Text.isHTMLSpace($0) }) { invisible = fontInvisible() }
        if let last = chunks.last {
            if let f = t.first, let l = last.last, !Self.isPunctOrSpace(f), !Self.isPunctOrSpace(l) {
                obfuscation += 1
            }
            let tailWord = Self.wordRun(last.reversed())
            if (1...7).contains(tailWord), !(last.count > tailWord && Self.isWordChar(last[last.count - tailWord - 1])) {
                let headWord = Self.wordRun(t)
                if (1...7).contains(headWord), !(t.count > headWord && Self.isWordChar(t[headWord])) {
                    backhair.insert("\(tailWord)_\(headWord)")
                }
            }
        }
        displayText(t, invisible: invisible)
    }

    /// `[\s\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]` (bytes ≥ 0x80 count as letters).
    static func isPunctOrSpace(_ b: UInt8) -> Bool {
        if b >= 0x80 { return false }
        if UTF8Text.isASCIISpace(b) { return true }
        return (0x21...0x2F).contains(b) || (0x3A...0x40).contains(b) || (0x5B...0x60).contains(b) || (0x7B...0x7E).contains(b)
    }
    static func isWordChar(_ b: UInt8) -> Bool { UTF8Text.isWordByte(b) || b >= 0x80 }
    static func wordRun<S: Sequence>(_ s: S) -> Int where S.Element == UInt8 {
        var n = 0
        for b in s { if isPunctOrSpace(b) { break }; n += 1; if n > 8 { break } }
        return n
    }

    mutating func fontInvisible() -> Bool {
        let st = styles[styles.count - 1]
        if st.fg.suffix(6) == st.bg.suffix(6) { summary.fontLowContrast = true; return true }
        if let f = HTMLColor.rgb(st.fg), let b = HTMLColor.rgb(st.bg) {
            let r = Double(f.0 - b.0), g = Double(f.1 - b.1), bl = Double(f.2 - b.2)
            let d = ((0.2126 * r) * (0.2126 * r) + (0.7152 * g) * (0.7152 * g) + (0.0722 * bl) * (0.0722 * bl)).squareRoot()
            if d < 12 { summary.fontLowContrast = true; return true }
        }
        if st.fg == "invalid" || st.bg == "invalid" { summary.fontInvalidColor = true; return true }
        if st.size <= 1 { return true }
        if st.display?.lowercased() == "none" { return true }
        if st.visibility?.lowercased() == "hidden" { return true }
        return false
    }

    mutating func displayText(_ input: [UInt8], whitespace: Bool = false, invisible: Bool = false) {
        var text = input
        if whitespace {
            if let lastIndex = chunks.indices.last, !chunkWhitespace[lastIndex], !chunkInvisible[lastIndex],
               chunks[lastIndex].last == 0x20 {
                chunks[lastIndex].removeLast()
            }
        } else {
            // s/[ \t\n\r\f\x0b]+|\xc2\xa0/ /gs  (on characters: \xc2\xa0 is "Â\u{a0}")
            var out: [UInt8] = []
            out.reserveCapacity(text.count)
            var i = 0
            while i < text.count {
                let b = text[i]
                if UTF8Text.isHTMLSpace(b) {
                    while i < text.count, UTF8Text.isHTMLSpace(text[i]) { i += 1 }
                    out.append(0x20); continue
                }
                if b == 0xC3, i + 3 < text.count, text[i + 1] == 0x82, text[i + 2] == 0xC2, text[i + 3] == 0xA0 {
                    out.append(0x20); i += 4; continue
                }
                out.append(b); i += 1
            }
            text = out
            if !invisible, let lastIndex = chunks.indices.last, chunkWhitespace[lastIndex], text.first == 0x20 {
                text.removeFirst()
            }
        }
        chunks.append(text)
        chunkWhitespace.append(whitespace)
        chunkInvisible.append(invisible)
    }

    mutating func finish() {
        // bug 7437: unclosed <style>/<script> are closed (literal handling above already did)
        summary.backhairCount = backhair.isEmpty && chunks.count < 2 ? nil : backhair.count
        if summary.tags > 0 {
            let t = Double(summary.tags)
            summary.closedExtraRatio = Double(summary.closedExtra) / t
            summary.badTagRatio = Double(summary.tags - summary.elements) / t
            summary.obfuscationRatio = Double(obfuscation) / t
        }
        if summary.tagsSeen > 0 {
            summary.nonElementRatio = Double(summary.tagsSeen - summary.elementsSeen) / Double(summary.tagsSeen)
        }
    }

    func result() -> HTMLRendering {
        var all: [UInt8] = [], vis: [UInt8] = [], invis: [UInt8] = []
        for (i, c) in chunks.enumerated() {
            all.append(contentsOf: c)
            if chunkInvisible[i] { invis.append(contentsOf: c) } else { vis.append(contentsOf: c) }
        }
        var s = summary
        s.htmlLength = UTF8Text.characterCount(all)
        s.nonSpaceLength = s.htmlLength - UTF8Text.unicodeSpaceCount(all)
        return HTMLRendering(text: all, visibleText: vis, invisibleText: invis, summary: s)
    }
}

extension String {
    fileprivate func replacingSuffixImportant() -> String {
        // the first match of `\s*!\s*important$` (ICU): for each place `$` can match, the
        // "important" ending there, the '!' before it and the whitespace before that
        let a = Array(unicodeScalars)
        var best: Int?
        for e in ICUScalarClasses.endPositions(a) where e >= 9 && ICUScalarClasses.hasLiteral(a, at: e - 9, "important") {
            var j = e - 9
            while j > 0, ICUScalarClasses.isSpace(a[j - 1]) { j -= 1 }
            guard j > 0, a[j - 1] == "!" else { continue }
            var p = j - 1
            while p > 0, ICUScalarClasses.isSpace(a[p - 1]) { p -= 1 }
            best = min(best ?? p, p)
        }
        guard let start = best else { return self }
        return ICUScalarClasses.string(a, 0..<start)
    }
}
