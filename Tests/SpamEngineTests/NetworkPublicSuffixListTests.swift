import XCTest
@testable import SpamEngine

final class NetworkPublicSuffixListTests: XCTestCase {
    static let shipped: PublicSuffixList? = {
        // Tests run from the package root (swift test); fall back to the source location.
        let candidates = [
            "Rules/data/public_suffix_list.dat",
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Rules/data/public_suffix_list.dat").path,
        ]
        for path in candidates where FileManager.default.fileExists(atPath: path) {
            return try? PublicSuffixList(contentsOfFile: path)
        }
        return nil
    }()

    func testSmallList() {
        let psl = PublicSuffixList(text: """
            // comment
            com
            uk
            co.uk
            *.ck
            !www.ck
            jp
            *.kawasaki.jp
            !city.kawasaki.jp
            公司.cn
            cn
            """)
        XCTAssertEqual(psl.registrableDomain("www.example.com"), "example.com")
        XCTAssertEqual(psl.registrableDomain("Example.COM."), "example.com")
        XCTAssertNil(psl.registrableDomain("com"))
        XCTAssertEqual(psl.registrableDomain("a.b.example.co.uk"), "example.co.uk")
        XCTAssertNil(psl.registrableDomain("co.uk"))
        // Wildcard: every label under ck is a suffix …
        XCTAssertNil(psl.registrableDomain("foo.ck"))
        XCTAssertEqual(psl.registrableDomain("bar.foo.ck"), "bar.foo.ck")
        // … except the exception.
        XCTAssertEqual(psl.registrableDomain("www.ck"), "www.ck")
        XCTAssertEqual(psl.registrableDomain("a.www.ck"), "www.ck")
        XCTAssertEqual(psl.registrableDomain("a.city.kawasaki.jp"), "city.kawasaki.jp")
        XCTAssertEqual(psl.registrableDomain("a.b.other.kawasaki.jp"), "b.other.kawasaki.jp")
        // Default rule "*": unknown TLDs.
        XCTAssertEqual(psl.registrableDomain("www.example.zz"), "example.zz")
        XCTAssertEqual(psl.publicSuffix("www.example.zz"), "zz")
        // Unicode rules also match their Punycode form (公司.cn = xn--55qx5d.cn).
        XCTAssertEqual(psl.publicSuffix("shop.xn--55qx5d.cn"), "xn--55qx5d.cn")
        XCTAssertEqual(psl.registrableDomain("www.shop.xn--55qx5d.cn"), "shop.xn--55qx5d.cn")
        // Not host names.
        XCTAssertNil(psl.registrableDomain("192.0.2.1"))
        XCTAssertNil(psl.registrableDomain("[2001:db8::1]"))
        XCTAssertNil(psl.registrableDomain("a..example.com"))
        XCTAssertNil(psl.registrableDomain(""))
    }

    func testPunycode() {
        // RFC 3492 7.1 sample (L) and common IDN examples.
        XCTAssertEqual(Punycode.encode("bücher"), "bcher-kva")
        XCTAssertEqual(Punycode.encode("münchen"), "mnchen-3ya")
        XCTAssertEqual(Punycode.asciiHost("公司.cn"), "xn--55qx5d.cn")
        XCTAssertEqual(Punycode.asciiHost("example.com"), "example.com")
    }

    func testShippedList() throws {
        let psl = try XCTUnwrap(Self.shipped, "Rules/data/public_suffix_list.dat not found")
        XCTAssertGreaterThan(psl.ruleCount, 5000)
        XCTAssertEqual(psl.registrableDomain("www.bbc.co.uk"), "bbc.co.uk")
        XCTAssertEqual(psl.registrableDomain("foo.bar.example.com.au"), "example.com.au")
        XCTAssertEqual(psl.registrableDomain("user.github.io"), "user.github.io")  // private section
        XCTAssertEqual(psl.registrableDomain("a.b.c.kobe.jp"), "b.c.kobe.jp")  // *.kobe.jp
        XCTAssertEqual(psl.registrableDomain("www.city.kobe.jp"), "city.kobe.jp")  // !city.kobe.jp
        XCTAssertNil(psl.registrableDomain("co.uk"))
        XCTAssertEqual(psl.registrableDomain("xn--bcher-kva.de"), "xn--bcher-kva.de")
    }

    func testShippedFileKeepsLicenceHeader() throws {
        let path = "Rules/data/public_suffix_list.dat"
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path))
        let head = try String(contentsOfFile: path, encoding: .utf8).prefix(300)
        XCTAssertTrue(head.contains("Mozilla Public"))
    }
}
