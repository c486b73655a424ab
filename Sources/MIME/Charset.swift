import Foundation

/// Conversion of text in a declared MIME charset to Swift (UTF-8) strings.
///
/// Single-byte charsets use our own tables, so they behave the same on every platform
/// and never fail. Multi-byte legacy charsets (CJK, UTF-16/32) go through Foundation,
/// whose coverage differs between platforms. Anything that cannot be converted falls back
/// to UTF-8 (when the bytes are well-formed UTF-8) and then to windows-1252, so a
/// conversion always yields text: spam filters must see *something* for every part.
public enum Charset {
    /// Canonical lowercase name for an IANA charset label or common alias
    /// (`"ISO8859-1"`, `"latin1"` → `"iso-8859-1"`; `"cp1251"` → `"windows-1251"`).
    /// Unknown labels come back trimmed and lowercased.
    public static func canonicalName(_ label: String) -> String {
        var name = label.trimmingMailWhitespace().asciiLowercased()
        if name.hasPrefix("\"") || name.hasPrefix("'") { name.removeFirst() }
        if name.hasSuffix("\"") || name.hasSuffix("'") { name.removeLast() }
        name = name.trimmingMailWhitespace()
        if let alias = aliases[name] { return alias }
        // iso8859-2, iso_8859-2, iso-8859-2:1987, iso88592 → iso-8859-2
        if name.hasPrefix("iso") {
            var rest = Substring(name.dropFirst(3))
            if rest.first == "-" || rest.first == "_" { rest = rest.dropFirst() }
            if rest.hasPrefix("8859") {
                rest = rest.dropFirst(4)
                if rest.first == "-" || rest.first == "_" { rest = rest.dropFirst() }
                let digits = rest.prefix { $0.isASCII && $0.isNumber }
                if let n = Int(digits), (1...16).contains(n) { return n == 1 ? "iso-8859-1" : "iso-8859-\(n)" }
            }
        }
        // cp1251, x-cp1251, win-1251, windows1251, ms-1251 → windows-1251
        for prefix in ["windows-", "windows", "x-cp", "cp", "win-", "win", "ms-"] where name.hasPrefix(prefix) {
            let digits = name.dropFirst(prefix.count)
            if let n = Int(digits), (1250...1258).contains(n) { return "windows-\(n)" }
            if prefix == "cp" || prefix == "x-cp", let n = Int(digits) {
                switch n {
                case 866: return "ibm866"
                case 850: return "ibm850"
                case 437: return "ibm437"
                case 874: return "iso-8859-11"
                case 949: return "cp949"
                case 936: return "gbk"
                case 932: return "shift_jis"
                case 950: return "big5"
                case 819: return "iso-8859-1"
                default: break
                }
            }
        }
        return name
    }

    /// Converts `bytes` declared as `charset` (nil or empty: US-ASCII) to a String.
    /// Never fails; see the type's documentation for the fallback order.
    public static func decode<C: Collection>(_ bytes: C, charset: String?) -> String
    where C.Element == UInt8 {
        let name = canonicalName(charset ?? "us-ascii")
        switch name {
        case "us-ascii", "":
            // 8-bit bytes under a us-ascii label are common; guess rather than mangle.
            if TextDecoding.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
            return fallback(bytes)
        case "utf-8":
            // Honour the declaration: malformed sequences become U+FFFD.
            return String(decoding: bytes, as: UTF8.self)
        case "iso-8859-1":
            // As in WHATWG Encoding and most mail clients, Latin-1 labels are read as
            // windows-1252, which only differs in the C1 control range 0x80–0x9F.
            return SingleByteCharset.decode(bytes, canonicalName: "windows-1252") ?? TextDecoding.latin1(bytes)
        default:
            if let text = SingleByteCharset.decode(bytes, canonicalName: name) { return text }
            if let encoding = foundationEncodings[name],
               let text = String(bytes: Array(bytes), encoding: encoding) {
                return text
            }
            return fallback(bytes)
        }
    }

    /// Unknown charset, or bytes invalid in the declared one: well-formed UTF-8 wins,
    /// otherwise windows-1252 (a superset of Latin-1's printable range).
    static func fallback<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        if TextDecoding.isValidUTF8(bytes) { return String(decoding: bytes, as: UTF8.self) }
        return SingleByteCharset.decode(bytes, canonicalName: "windows-1252") ?? TextDecoding.latin1(bytes)
    }

    private static let aliases: [String: String] = [
        "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8",
        "ascii": "us-ascii", "us": "us-ascii", "ansi_x3.4-1968": "us-ascii", "iso646-us": "us-ascii",
        "iso-ir-6": "us-ascii", "cp367": "us-ascii", "ibm367": "us-ascii", "csascii": "us-ascii",
        "latin1": "iso-8859-1", "latin-1": "iso-8859-1", "l1": "iso-8859-1", "ibm819": "iso-8859-1",
        "iso-ir-100": "iso-8859-1", "csisolatin1": "iso-8859-1",
        "latin2": "iso-8859-2", "l2": "iso-8859-2", "latin3": "iso-8859-3", "latin4": "iso-8859-4",
        "latin5": "iso-8859-9", "l5": "iso-8859-9", "latin6": "iso-8859-10", "latin7": "iso-8859-13",
        "latin8": "iso-8859-14", "latin9": "iso-8859-15", "l9": "iso-8859-15", "latin-9": "iso-8859-15",
        "latin10": "iso-8859-16",
        "cyrillic": "iso-8859-5", "arabic": "iso-8859-6", "greek": "iso-8859-7", "greek8": "iso-8859-7",
        "hebrew": "iso-8859-8", "tis-620": "iso-8859-11", "windows-874": "iso-8859-11",
        "koi8r": "koi8-r", "cskoi8r": "koi8-r", "koi": "koi8-r", "koi8": "koi8-r", "koi8u": "koi8-u",
        "866": "ibm866", "csibm866": "ibm866", "850": "ibm850", "437": "ibm437",
        "sjis": "shift_jis", "shift-jis": "shift_jis", "x-sjis": "shift_jis", "ms_kanji": "shift_jis",
        "windows-31j": "shift_jis", "euc_jp": "euc-jp", "x-euc-jp": "euc-jp",
        "gb2312": "gb2312", "euc-cn": "gb2312", "x-gbk": "gbk", "gb_2312-80": "gb2312",
        "big5-hkscs": "big5", "x-big5": "big5", "cn-big5": "big5",
        "ks_c_5601-1987": "euc-kr", "ks_c_5601": "euc-kr", "korean": "euc-kr", "x-windows-949": "cp949",
        "utf-16le": "utf-16le", "utf-16be": "utf-16be", "utf16": "utf-16",
    ]

    /// Foundation encodings for multi-byte charsets; CoreFoundation encodings are
    /// addressed as `0x80000000 | CFStringEncoding` because CF is not importable on Linux.
    private static let foundationEncodings: [String: String.Encoding] = [
        "utf-16": .utf16, "utf-16le": .utf16LittleEndian, "utf-16be": .utf16BigEndian,
        "utf-32": .utf32, "utf-32le": .utf32LittleEndian, "utf-32be": .utf32BigEndian,
        "shift_jis": .shiftJIS, "euc-jp": .japaneseEUC, "iso-2022-jp": .iso2022JP,
        "gb2312": String.Encoding(rawValue: 0x8000_0930),   // kCFStringEncodingEUC_CN
        "gbk": String.Encoding(rawValue: 0x8000_0631),      // kCFStringEncodingGBK_95
        "gb18030": String.Encoding(rawValue: 0x8000_0632),  // kCFStringEncodingGB_18030_2000
        "big5": String.Encoding(rawValue: 0x8000_0A03),     // kCFStringEncodingBig5
        "euc-kr": String.Encoding(rawValue: 0x8000_0940),   // kCFStringEncodingEUC_KR
        "cp949": String.Encoding(rawValue: 0x8000_0422),    // kCFStringEncodingDOSKorean
        "iso-2022-kr": String.Encoding(rawValue: 0x8000_0840),
    ]
}
