import XCTest
@testable import MIME

final class HTMLRendererTests: XCTestCase {
    func render(_ s: String) -> HTMLRendering { HTMLRenderer.render(Array(s.utf8)) }
    func text(_ s: String) -> String { String(decoding: render(s).text, as: UTF8.self) }

    func testBlockAndInlineTags() {
        XCTAssertEqual(text("a<br>b<div>c</div>d"), "a\nb\nc\nd")
        XCTAssertEqual(text("<p>one</p><p>two</p>"), "\n\none\n\n\n\ntwo\n\n")
        XCTAssertEqual(text("<td>x</td><td>y</td>"), " x  y ")   // as HTML.pm renders it
        XCTAssertEqual(text("a <b>bold</b> c"), "a bold c")
    }

    func testEntitiesAndLiterals() {
        XCTAssertEqual(text("&lt;x&gt; &amp &eacute; &#65;&#x42; &unknown;"), "<x> & é AB &unknown;")
        XCTAssertEqual(text("<script>if (a<b) {}</script>after<style>.x{}</style>"), "after")
        XCTAssertEqual(text("x < y and 3<4"), "x < y and 3<4")
        XCTAssertEqual(text("<!-- <b>hidden</b> -->shown"), "shown")
    }

    func testSummary() {
        let r = render("<html><body><img src=a.gif width=10 height=20><font size=1 color=#ffffff>tiny</font></b><foo>x</foo><title>T</title></body></html>")
        XCTAssertEqual(r.summary.imageArea, 200)
        XCTAssertEqual(r.summary.minSize, 1)
        XCTAssertEqual(r.summary.closedExtra, 1)
        XCTAssertTrue(r.summary.closedBody && r.summary.closedHTML)
        XCTAssertEqual(r.summary.titles.map { String(decoding: $0, as: UTF8.self) }, ["T"])
        XCTAssertTrue(r.summary.fontLowContrast)
        XCTAssertNotNil(r.summary.badTagRatio)
        XCTAssertEqual(String(decoding: r.invisibleText, as: UTF8.self), "tiny")
    }

    func testURIsFromAttributes() {
        let r = render("<base href=\"http://h.example/a/b.html\"><a href=\"../c\">x</a><form action=\"mailto:a@b.c\"></form><meta http-equiv=refresh content=\"0; url=http://r.example/\">")
        let uris = r.summary.uris.map { String(decoding: $0.uri, as: UTF8.self) }
        XCTAssertTrue(uris.contains("http://h.example/c"))
        XCTAssertTrue(uris.contains("mailto:a@b.c"))
        XCTAssertTrue(uris.contains("http://r.example/"))
        XCTAssertTrue(r.summary.formActionMailto)
    }
}
