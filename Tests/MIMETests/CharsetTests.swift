import XCTest
@testable import MIME

final class CharsetTests: XCTestCase {
    private func textPart(charset: String, body: [UInt8]) -> MIMEPart {
        var raw = Array("Content-Type: text/plain; charset=\"\(charset)\"\r\n\r\n".utf8)
        raw += body
        return MIMEMessage.parse(raw).root
    }

    func testLatin1() {
        XCTAssertEqual(textPart(charset: "ISO-8859-1", body: [0x47, 0x72, 0xFC, 0xDF, 0x65]).text(), "Grüße")
        XCTAssertEqual(textPart(charset: "latin1", body: [0xE9]).text(), "é")
    }

    func testKOI8R() {
        XCTAssertEqual(textPart(charset: "koi8-r", body: [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]).text(), "Привет")
    }

    func testWindows1252() {
        XCTAssertEqual(textPart(charset: "windows-1252", body: [0x93, 0x68, 0x69, 0x94, 0x20, 0x80, 0x35]).text(), "“hi” €5")
        XCTAssertEqual(Charset.decode([0x80], charset: "cp1252"), "€")
    }

    /// Every byte of every table decodes to the code point the table lists (U+FFFD where
    /// it lists none), ASCII passing through.
    func testSingleByteTablesDecodeEveryByte() {
        let bytes = (0...255).map(UInt8.init)
        for (name, upper) in SingleByteCharset.upperHalves {
            let expected = bytes.map { b -> Unicode.Scalar in
                b < 0x80 ? Unicode.Scalar(b) : Unicode.Scalar(upper[Int(b) - 0x80]) ?? "\u{FFFD}"
            }
            XCTAssertEqual(SingleByteCharset.decode(bytes, canonicalName: name).map { Array($0.unicodeScalars) }, expected, name)
        }
    }

    /// The bit arithmetic against the standard library's encoder, U+FFFD for non-scalars.
    func testAppendScalarEncodesAsStrings() {
        var values: [UInt32] = Array(0..<0x900) + [0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xFFFD, 0xFFFF]
        values += [0x10000, 0x1F600, 0x10FFFF, 0x110000, 0xFFFF_FFFF]
        for v in values {
            var out: [UInt8] = []
            UTF8Text.appendScalar(v, to: &out)
            let expected = Array(String(Character(Unicode.Scalar(v) ?? "\u{FFFD}")).utf8)
            XCTAssertEqual(out, expected, "U+\(String(v, radix: 16))")
        }
    }

    func testOtherSingleByteCharsets() {
        XCTAssertEqual(Charset.decode([0xA4], charset: "iso-8859-15"), "€")
        XCTAssertEqual(Charset.decode([0xCF, 0xF0, 0xE8], charset: "windows-1251"), "При")
        XCTAssertEqual(Charset.decode([0xA1], charset: "ISO_8859-2:1987"), "Ą")
        XCTAssertEqual(Charset.decode([0xE1], charset: "iso-8859-7"), "α")
    }

    func testUTF8AndASCII() {
        XCTAssertEqual(Charset.decode(Array("naïve".utf8), charset: "UTF-8"), "naïve")
        XCTAssertEqual(Charset.decode([0x61, 0xFF], charset: "utf-8"), "a\u{FFFD}")
        // 8-bit bytes under a us-ascii label: UTF-8 if it is, else windows-1252.
        XCTAssertEqual(Charset.decode(Array("é".utf8), charset: "us-ascii"), "é")
        XCTAssertEqual(Charset.decode([0xE9], charset: nil), "é")
    }

    func testUnknownCharsetFallsBack() {
        XCTAssertEqual(Charset.decode(Array("ok ✓".utf8), charset: "x-made-up"), "ok ✓")
        XCTAssertEqual(Charset.decode([0x63, 0x61, 0x66, 0xE9], charset: "x-made-up"), "café")
    }

    func testCanonicalNames() {
        XCTAssertEqual(Charset.canonicalName(" \"ISO8859-1\" "), "iso-8859-1")
        XCTAssertEqual(Charset.canonicalName("x-cp1251"), "windows-1251")
        XCTAssertEqual(Charset.canonicalName("KOI8R"), "koi8-r")
        XCTAssertEqual(Charset.canonicalName("utf8"), "utf-8")
    }

    func testMultiByteCharsetsThroughFoundation() {
        // Coverage of these depends on the platform's Foundation; each must at least
        // yield text, and the fallback must not mangle what Foundation cannot convert.
        let samples: [(String, [UInt8], String)] = [
            ("shift_jis", [147, 250, 150, 123], "日本"),
            ("gb2312", [214, 208, 206, 196], "中文"),
            ("euc-kr", [199, 209, 177, 185], "한국"),
            ("big5", [164, 164, 164, 229], "中文"),
        ]
        for (charset, input, expected) in samples {
            let text = Charset.decode(input, charset: charset)
            XCTAssertFalse(text.isEmpty, charset)
            if text != expected { print("note: \(charset) not converted by Foundation here: \(text)") }
        }
    }

    func testNonTextPartHasNoText() {
        let m = parse("Content-Type: image/gif\n\nGIF89a")
        XCTAssertNil(m.root.text())
    }
}
