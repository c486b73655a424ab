import Foundation
import MIME
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SpamAssassin 4.0.1's charset normalisation (`Message::Node::_normalize`,
/// `normalize_charset 1`, its default) producing UTF-8 bytes.
///
/// Decision recorded here for the whole engine: SpamAssassin decodes text parts to Perl
/// characters, renders and collapses whitespace on characters (so Unicode `\s`, e.g. NBSP,
/// counts as space), then `utf8::encode`s the body text before rules run. Rules therefore
/// match **UTF-8 octets** (body, header, uri); `rawbody` is the transfer-decoded part in its
/// *original* charset, never transcoded. Moat keeps all texts as `[UInt8]` in exactly those
/// encodings and compiles rule regexes for bytes (no PCRE2_UTF).
enum SACharset {
    /// `_normalize($data, $charset, ...)`; `insist` is `$insist_on_declared_charset`.
    static func normalize(_ bytes: [UInt8], charset declared: String, insist: Bool = false) -> [UInt8] {
        let has8bit = bytes.contains { $0 >= 0x80 }
        let name = declared.lowercased()
        // 7-bit data under an ASCII-compatible label is kept as is; 7-bit encodings such as
        // ISO-2022-JP or UTF-7 must still be decoded.
        if !has8bit && (isASCIICompatible(name) || name.isEmpty) { return bytes }
        if !has8bit, let out = Iconv.convert(bytes, from: Charset.canonicalName(declared), strict: !insist) { return out }
        if !has8bit { return bytes }
        if !insist, isValidUTF8(bytes) { return bytes }
        let canonical = Charset.canonicalName(declared)
        if canonical == "us-ascii" || name.isEmpty {
            if insist { return bytes.flatMap { $0 < 0x80 ? [$0] : [0xEF, 0xBF, 0xBD] } }
        } else if canonical == "utf-8" {
            if insist { return Array(String(decoding: bytes, as: UTF8.self).utf8) }
        } else if canonical.hasPrefix("utf-16") || canonical.hasPrefix("utf-32") || isKnownSingleOrMultiByte(canonical) {
            if multiByte.contains(canonical) {
                if let out = Iconv.convert(bytes, from: canonical, strict: !insist) { return out }
            } else {
                return Array(Charset.decode(bytes, charset: canonical).utf8)
            }
        } else if !canonical.isEmpty, let out = Iconv.convert(bytes, from: canonical, strict: !insist) {
            return out
        }
        // windows-1252 guess or last resort: both decode as windows-1252
        return Array(Charset.decode(bytes, charset: "windows-1252").utf8)
    }

    /// Charsets converted with iconv (Foundation on Linux lacks most CJK converters).
    static let multiByte: Set<String> = ["shift_jis", "euc-jp", "iso-2022-jp", "gb2312", "gbk", "gb18030", "big5",
                                         "euc-kr", "cp949", "iso-2022-kr"]

    /// `_normalize`'s two "declared ASCII-compatible" patterns.
    static func isASCIICompatible(_ n: String) -> Bool {
        if ["us-ascii", "ascii", "ansi_x3.4-1986", "ansi_x3.4-1968", "ansi x3.4-1968", "iso646-us", "utf-8", "utf8",
            "big5", "gbk"].contains(n) { return true }
        let a = Array(n.unicodeScalars)
        return matchesISO8859(a) || matchesWindows(a) || matchesKOI8EUC(a) || matchesGB18030(a)
    }

    private typealias ICU = ICUScalarClasses

    /// `^iso[ -]?8859(-\d{1,2})?$` (ICU).
    private static func matchesISO8859(_ a: [Unicode.Scalar]) -> Bool {
        guard ICU.hasLiteral(a, at: 0, "iso") else { return false }
        var i = 3
        if i < a.count, a[i] == " " || a[i] == "-" { i += 1 }
        guard ICU.hasLiteral(a, at: i, "8859") else { return false }
        return optionalDashDigits(a, from: i + 4, max: 2)
    }

    /// `^gb[ -]?18030(-20\d\d)?$` (ICU).
    private static func matchesGB18030(_ a: [Unicode.Scalar]) -> Bool {
        guard ICU.hasLiteral(a, at: 0, "gb") else { return false }
        var i = 2
        if i < a.count, a[i] == " " || a[i] == "-" { i += 1 }
        guard ICU.hasLiteral(a, at: i, "18030") else { return false }
        i += 5
        if ICU.isEnd(a, i) { return true }
        guard ICU.hasLiteral(a, at: i, "-20"), i + 5 <= a.count, ICU.isDigit(a[i + 3]), ICU.isDigit(a[i + 4]) else { return false }
        return ICU.isEnd(a, i + 5)
    }

    /// `(-\d{1,max})?$` at `from`.
    private static func optionalDashDigits(_ a: [Unicode.Scalar], from i: Int, max: Int) -> Bool {
        if ICU.isEnd(a, i) { return true }
        guard i < a.count, a[i] == "-" else { return false }
        var j = i + 1
        var digits = 0
        while j < a.count, digits < max, ICU.isDigit(a[j]) { j += 1; digits += 1 }
        while digits > 0 {
            if ICU.isEnd(a, j) { return true }
            j -= 1; digits -= 1
        }
        return false
    }

    /// `^windows-\d{4}$` (ICU).
    private static func matchesWindows(_ a: [Unicode.Scalar]) -> Bool {
        guard ICU.hasLiteral(a, at: 0, "windows-"), a.count >= 12 else { return false }
        guard (8..<12).allSatisfy({ ICU.isDigit(a[$0]) }) else { return false }
        return ICU.isEnd(a, 12)
    }

    /// `^(koi8|euc)-[a-z]{1,2}$` (ICU).
    private static func matchesKOI8EUC(_ a: [Unicode.Scalar]) -> Bool {
        let i: Int
        if ICU.hasLiteral(a, at: 0, "koi8-") { i = 5 } else if ICU.hasLiteral(a, at: 0, "euc-") { i = 4 } else { return false }
        var j = i
        while j < a.count, j - i < 2, ICU.isLowerASCIILetter(a[j], caseless: false) { j += 1 }
        while j > i {
            if ICU.isEnd(a, j) { return true }
            j -= 1
        }
        return false
    }

    static func isKnownSingleOrMultiByte(_ canonical: String) -> Bool {
        if canonical.hasPrefix("iso-8859-") || canonical.hasPrefix("windows-") || canonical.hasPrefix("koi8")
            || canonical.hasPrefix("ibm") { return true }
        return ["shift_jis", "euc-jp", "iso-2022-jp", "gb2312", "gbk", "gb18030", "big5", "euc-kr", "cp949",
                "iso-2022-kr", "macintosh", "x-mac-roman"].contains(canonical)
    }

    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        var it = bytes.makeIterator()
        var d = UTF8()
        while true {
            switch d.decode(&it) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}

/// Thin iconv wrapper: whole-buffer conversion to UTF-8; nil when the charset is unknown
/// or (strict) the input is invalid in it.
enum Iconv {
    static func convert(_ input: [UInt8], from charset: String, strict: Bool) -> [UInt8]? {
        let name: String
        switch charset {
        case "gb2312": name = "GBK"          // Perl's euc-cn decoder accepts the GBK superset poorly; GBK is safer
        case "cp949": name = "CP949"
        default: name = charset.uppercased()
        }
        let cd = iconv_open("UTF-8", name)
        if cd == iconv_t(bitPattern: -1) { return nil }
        defer { iconv_close(cd) }
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        var inBytes = input
        var result: [UInt8]? = nil
        inBytes.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var outLeft = outBuf.count
                var produced: [UInt8] = []
                while inLeft > 0 {
                    let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                    if r == -1 {
                        if strict { return }
                        // lenient: U+FFFD for the bad byte, continue
                        let done = outBuf.count - outLeft
                        produced.append(contentsOf: outBuf[0..<done])
                        produced.append(contentsOf: [0xEF, 0xBF, 0xBD])
                        inPtr = inPtr.map { $0 + 1 }
                        inLeft -= 1
                        outPtr = UnsafeMutableRawPointer(outBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                        outLeft = outBuf.count
                    }
                }
                let done = outBuf.count - outLeft
                produced.append(contentsOf: outBuf[0..<done])
                result = produced
            }
        }
        return result
    }
}
