import XCTest
@testable import MIME

final class RFC2047Tests: XCTestCase {
    func testBEncoding() {
        XCTAssertEqual(RFC2047.decode("=?UTF-8?B?SGVsbG8gV8O2cmxk?="), "Hello Wörld")
    }

    func testQEncodingWithUnderscoreAndHex() {
        XCTAssertEqual(RFC2047.decode("=?iso-8859-1?q?caf=E9_cr=E8me?="), "café crème")
    }

    func testAdjacentWordsJoinWithoutWhitespace() {
        XCTAssertEqual(RFC2047.decode("=?utf-8?q?a?= =?utf-8?q?b?=\r\n =?utf-8?q?c?="), "abc")
        // Literal text between words keeps its whitespace (RFC 2047 §6.2 only drops
        // whitespace between two encoded-words).
        XCTAssertEqual(RFC2047.decode("=?utf-8?q?a?= and =?utf-8?q?b?="), "a and b")
        XCTAssertEqual(RFC2047.decode("Re: =?utf-8?q?x?= tail"), "Re: x tail")
    }

    func testMultibyteCharacterSplitAcrossWords() {
        // "é" (C3 A9) split between two base64 words.
        let first = Base64Codec.encodeToString([0x41, 0xC3], lineLength: 0)
        let second = Base64Codec.encodeToString([0xA9, 0x42], lineLength: 0)
        XCTAssertEqual(RFC2047.decode("=?utf-8?b?\(first)?= =?utf-8?b?\(second)?="), "AéB")
    }

    func testMixedCharsets() {
        let s = "=?iso-8859-1?q?=E9t=E9?= =?koi8-r?b?8NLJ18XU?= =?windows-1252?q?=80?="
        XCTAssertEqual(RFC2047.decode(s), "étéПривет€")
    }

    func testLanguageSuffixAndCase() {
        XCTAssertEqual(RFC2047.decode("=?US-ASCII*EN?Q?Keith_Moore?="), "Keith Moore")
    }

    func testMalformedWordsLeftAlone() {
        XCTAssertEqual(RFC2047.decode("=?utf-8?x?abc?="), "=?utf-8?x?abc?=")
        XCTAssertEqual(RFC2047.decode("=?utf-8?q?unterminated"), "=?utf-8?q?unterminated")
        XCTAssertEqual(RFC2047.decode("a =? b"), "a =? b")
        XCTAssertEqual(RFC2047.decode("plain"), "plain")
    }

    func testBadQEscapeKeptLiterally() {
        XCTAssertEqual(RFC2047.decode("=?utf-8?q?100=ZZ?="), "100=ZZ")
    }

    func testWordGluedToText() {
        XCTAssertEqual(RFC2047.decode("V=?utf-8?q?iagr?=a"), "Viagra")
    }

    func testDecodedValueOfFoldedSubject() {
        let m = parse("Subject: =?utf-8?B?w6TDtsO8?=\n =?utf-8?Q?_=C3=9F?=\n\n")
        XCTAssertEqual(m.subject, "äöü ß")
    }
}
