import XCTest
@testable import MoatCore

final class EmailAddressTests: XCTestCase {
    private func parse(_ text: String) -> EmailAddress? { EmailAddress(parsing: text) }

    func testSimpleAddress() throws {
        let a = try XCTUnwrap(parse("User.Name+tag@Example.COM"))
        XCTAssertEqual(a.localPart, "User.Name+tag")
        XCTAssertEqual(a.domain, "Example.COM")
        XCTAssertFalse(a.isNull)
        XCTAssertEqual(a.description, "User.Name+tag@Example.COM")
        XCTAssertEqual(a.bracketed, "<User.Name+tag@Example.COM>")
    }

    func testAtextCharactersAndUTF8() throws {
        XCTAssertNotNil(parse("!#$%&'*+/=?^_`{|}~-@example.com"))
        let utf8 = try XCTUnwrap(parse("jörg@bücher.example"))
        XCTAssertEqual(utf8.localPart, "jörg")
        XCTAssertEqual(utf8.domain, "bücher.example")
    }

    func testSubstringInit() throws {
        let text = "<a@b.example>"
        let inner = text.dropFirst().dropLast()
        XCTAssertEqual(EmailAddress(parsing: inner), EmailAddress(uncheckedLocalPart: "a", domain: "b.example"))
    }

    func testQuotedLocalParts() throws {
        let spaced = try XCTUnwrap(parse(#""john doe"@example.com"#))
        XCTAssertEqual(spaced.localPart, "john doe")
        XCTAssertEqual(spaced.description, #""john doe"@example.com"#)

        let escaped = try XCTUnwrap(parse(#""a\"b\\c"@example.com"#))
        XCTAssertEqual(escaped.localPart, #"a"b\c"#)
        XCTAssertEqual(escaped.description, #""a\"b\\c"@example.com"#)

        let withAt = try XCTUnwrap(parse(#""a@b"@example.com"#))
        XCTAssertEqual(withAt.localPart, "a@b")
        XCTAssertEqual(withAt.domain, "example.com")
        XCTAssertEqual(withAt.description, #""a@b"@example.com"#)

        let dots = try XCTUnwrap(parse(#""a..b."@example.com"#))
        XCTAssertEqual(dots.localPart, "a..b.")
        XCTAssertEqual(dots.description, #""a..b."@example.com"#)

        // A quoted local part that needs no quotes is shown plain.
        XCTAssertEqual(parse(#""plain"@example.com"#)?.description, "plain@example.com")
    }

    func testTrailingDotDomain() throws {
        let a = try XCTUnwrap(parse("user@example.com."))
        XCTAssertEqual(a.domain, "example.com")
        XCTAssertEqual(a, parse("user@example.com"))
        XCTAssertNil(parse("user@example.com.."))
        XCTAssertNil(parse("user@."))
    }

    func testAddressLiterals() throws {
        let v4 = try XCTUnwrap(parse("postmaster@[192.0.2.1]"))
        XCTAssertEqual(v4.domain, "[192.0.2.1]")
        XCTAssertEqual(v4.bracketed, "<postmaster@[192.0.2.1]>")
        XCTAssertEqual(parse("x@[IPv6:2001:db8::1]")?.domain, "[IPv6:2001:db8::1]")
        XCTAssertNil(parse("x@[]"))
        XCTAssertNil(parse("x@[192.0.2.1"))
    }

    func testInvalidForms() {
        let invalid = [
            "", "a", "a@", "@b", "@", "a@@b", "a..b@c", ".a@c", "a.@c", "a b@c", "a@b c", "a@b..c",
            "a@-b.com", "a@b-.com", "a@b_c.com", "<a@b>", "@route:a@b", "a\u{01}b@c", "a@b\u{01}c",
            "a\u{7F}@c", "\"a\u{0}\"@c", "\"a\u{1B}b\"@c", "\"unterminated@c", "\"a\\\"@c", "a\"b\"@c",
            "a@b\nc", "a\r\n@b",
        ]
        for text in invalid {
            XCTAssertNil(parse(text), "accepted \(text.debugDescription)")
        }
    }

    func testLengthLimits() {
        let label = String(repeating: "a", count: 63)
        XCTAssertNotNil(parse("x@\(label).com"))
        XCTAssertNil(parse("x@\(label)a.com"))
        let long = String(repeating: "a", count: 400) + "@b.example"
        XCTAssertNil(parse(long))
    }

    func testNullSender() {
        XCTAssertTrue(EmailAddress.null.isNull)
        XCTAssertEqual(EmailAddress.null.description, "")
        XCTAssertEqual(EmailAddress.null.bracketed, "<>")
        XCTAssertFalse(EmailAddress(uncheckedLocalPart: "a", domain: "").isNull)
    }

    func testDomainCaseKeptButLocalPartCaseSignificant() {
        XCTAssertNotEqual(parse("User@example.com"), parse("user@example.com"))
        XCTAssertEqual(parse("user@EXAMPLE.com")?.domain.lowercased(), "example.com")
    }

    func testDescriptionRoundTrip() throws {
        let inputs = [
            "simple@example.com", #""john doe"@example.com"#, #""a\"b\\c"@example.com"#, #""a@b"@x.example"#,
            "x@[192.0.2.1]", "o'brien@example.ie", #"".dot"@example.com"#, "jörg@bücher.example",
        ]
        for input in inputs {
            let a = try XCTUnwrap(parse(input), input)
            let again = try XCTUnwrap(parse(a.description), a.description)
            XCTAssertEqual(again, a, input)
            let bracketed = a.bracketed
            XCTAssertTrue(bracketed.hasPrefix("<") && bracketed.hasSuffix(">"))
            XCTAssertEqual(parse(String(bracketed.dropFirst().dropLast())), a, input)
        }
    }

    func testIsValidDomain() {
        XCTAssertTrue(EmailAddress.isValidDomain("example.com"))
        XCTAssertTrue(EmailAddress.isValidDomain("localhost"))
        XCTAssertTrue(EmailAddress.isValidDomain("xn--bcher-kva.example"))
        XCTAssertFalse(EmailAddress.isValidDomain(""))
        XCTAssertFalse(EmailAddress.isValidDomain("a..b"))
        XCTAssertFalse(EmailAddress.isValidDomain(Substring(String(repeating: "a.", count: 128) + "com")))
    }
}

final class MailIDTests: XCTestCase {
    func testShapeAndUniqueness() {
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let id = MailID.generate()
            XCTAssertEqual(id.utf8.count, 12)
            XCTAssertTrue(MailID.isWellFormed(id), id)
            XCTAssertFalse(id.hasPrefix("-") || id.hasPrefix("_"), "\(id) would read as a CLI option")
            XCTAssertTrue(id.utf8.allSatisfy { b in
                (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F
            }, id)
            seen.insert(id)
        }
        XCTAssertEqual(seen.count, 10_000)
    }

    func testAllAlphabetCharactersAppear() {
        var chars = Set<Character>()
        for _ in 0..<2_000 { chars.formUnion(MailID.generate()) }
        XCTAssertEqual(chars.count, 64)
    }

    func testIsWellFormed() {
        XCTAssertTrue(MailID.isWellFormed("x-v7C83uNNvi"))
        XCTAssertTrue(MailID.isWellFormed("abcdefgh"))
        XCTAssertTrue(MailID.isWellFormed(String(repeating: "A", count: 32)))
        for bad in ["", "short", "abcdefg", String(repeating: "A", count: 33), "../../etc/pw", "abc def ghij",
                    "abcdefgh/ijk", "abcdefgh.ijk", "abcdéfghijkl", "abcdefgh\0ijk"] {
            XCTAssertFalse(MailID.isWellFormed(bad), bad.debugDescription)
        }
    }
}

final class EdgeCaseRegressionTests: XCTestCase {
    func testEmptyQuotedLocalPartRoundTrips() throws {
        let address = try XCTUnwrap(EmailAddress(parsing: #"""@x.example"#))
        XCTAssertEqual(address.description, #"""@x.example"#)
        XCTAssertEqual(EmailAddress(parsing: address.description), address)
    }

    func testHugeDurationIsRejectedNotTrapped() {
        XCTAssertNil(DurationText.parse("999999999999999999m"))
        XCTAssertNil(DurationText.parse("9223372036854775807w"))
        XCTAssertEqual(DurationText.parse("2d"), .seconds(172_800))
    }
}
