import XCTest
@testable import MIME

final class URITests: XCTestCase {
    func found(_ s: String) -> [String] {
        TextURIExtractor.extract([Array(s.utf8)]).map { String(decoding: $0.uri, as: UTF8.self) }
    }
    func canon(_ s: String) -> Set<String> {
        Set(URICanonicalizer.canonicalize(Array(s.utf8)).map { String(decoding: $0, as: UTF8.self) })
    }

    func testTextExtraction() {
        XCTAssertEqual(found("see http://example.com/x. now"), ["http://example.com/x"])
        XCTAssertEqual(found("visit www.example.org!"), ["http://www.example.org"])
        XCTAssertEqual(found("mail bob@example.net, thanks"), ["mailto:bob@example.net"])
        XCTAssertEqual(found("plain example.com/page here"), ["http://example.com/page"])
        XCTAssertEqual(found("not a uri: foo.notatld and Vi@gra"), [])
    }

    func testCanonicalisation() {
        XCTAssertEqual(canon("http://%77%77%77.example.com/"), ["http://%77%77%77.example.com/", "http://www.example.com/"])
        // Expected sets checked against Util::uri_list_canonicalize of SpamAssassin 4.0.1.
        XCTAssertEqual(canon("http://user@host.example.com/"), ["http://user@host.example.com/"])
        XCTAssertEqual(canon("http://a@b@host.example.com/"), ["http://a@b@host.example.com/", "http://host.example.com/"])
        XCTAssertEqual(canon("http://10.0.0.1/"), ["http://10...1/", "http://10.0.0.1/"])
        XCTAssertTrue(canon("http://example.com?x=1").contains("http://example.com/?x=1"))
        XCTAssertTrue(canon("http://1113343453/").contains("http://66.92.69.221/"))
        XCTAssertTrue(canon("http://foo/").contains("http://www.foo.com/"))
        XCTAssertTrue(canon("http://r.example/?u=http://target.example.com/").contains("http://target.example.com/"))
    }

    func testResolver() {
        func t(_ b: String, _ r: String) -> String {
            String(decoding: URIResolver.targetURI(base: Array(b.utf8), relative: Array(r.utf8)), as: UTF8.self)
        }
        XCTAssertEqual(t("http://a/b/c/d;p?q", "g"), "http://a/b/c/g")
        XCTAssertEqual(t("http://a/b/c/d;p?q", "../g"), "http://a/b/g")
        XCTAssertEqual(t("", "www.x.com/y"), "www.x.com/y")
        XCTAssertEqual(t("", "//www.x.com/y"), "http://www.x.com/y")
    }
}
