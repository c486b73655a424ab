import XCTest
@testable import MIME

final class ParameterTests: XCTestCase {
    func testContentTypeBasics() {
        let ct = ContentType(parsing: "Text/HTML; Charset=\"UTF-8\"; format=flowed (comment)")!
        XCTAssertEqual(ct.mimeType, "text/html")
        XCTAssertEqual(ct.charset, "UTF-8")
        XCTAssertEqual(ct.parameters["format"], "flowed (comment)")
    }

    func testCommentInTypeAndQuotedEscapes() {
        let ct = ContentType(parsing: "multipart/mixed (mixed); boundary=\"a\\\"b;c\"")!
        XCTAssertEqual(ct.mimeType, "multipart/mixed")
        XCTAssertEqual(ct.boundary, "a\"b;c")
    }

    func testInvalidContentTypeDefaultsButKeepsCharset() {
        let m = parse("Content-Type: text; charset=koi8-r\n\n\u{F0}")
        XCTAssertEqual(m.root.contentType.mimeType, "text/plain")
        XCTAssertEqual(m.root.contentType.charset, "koi8-r")
        XCTAssertTrue(m.defects.contains(.invalidContentType))
        XCTAssertNil(ContentType(parsing: "garbage"))
        XCTAssertNil(ContentType(parsing: "text/"))
    }

    func testMissingContentTypeDefaults() {
        let ct = parse("Subject: x\n\n").root.contentType
        XCTAssertEqual(ct, .plainText)
        XCTAssertEqual(ct.charset, "us-ascii")
    }

    func testRFC2231ContinuationsWithPercentEncoding() {
        let header = "attachment; filename*0*=UTF-8''%E2%82%AC%20rates; filename*1=\" for \"; filename*2*=%C3%A9t%C3%A9.pdf"
        let d = ContentDisposition(parsing: header)
        XCTAssertEqual(d.value, "attachment")
        XCTAssertEqual(d.filename, "€ rates for été.pdf")
    }

    func testRFC2231SingleExtendedValueWithLanguage() {
        let d = ContentDisposition(parsing: "inline; filename*=iso-8859-1'fr'r%E9sum%E9.txt")
        XCTAssertEqual(d.filename, "résumé.txt")
    }

    func testRFC2231PlainContinuationsOutOfOrder() {
        let (_, params) = MIMEParameters.parse("application/x; name*1=\"b.doc\"; name*0=\"a\"")
        XCTAssertEqual(params["name"], "ab.doc")
    }

    func testExtendedValueWinsOverPlain() {
        let (_, params) = MIMEParameters.parse("attachment; filename=\"fallback.txt\"; filename*=utf-8''real.txt")
        XCTAssertEqual(params["filename"], "real.txt")
    }

    func testFirstDuplicateWins() {
        XCTAssertEqual(ContentType(parsing: "multipart/mixed; boundary=one; boundary=two")?.boundary, "one")
    }

    func testUnterminatedQuote() {
        XCTAssertEqual(MIMEParameters.parse("x/y; name=\"abc").parameters["name"], "abc")
    }

    func testFilenameFromRFC2047AndNameFallback() {
        let m = parse("""
        Content-Type: application/octet-stream; name="=?utf-8?b?cmVjaG51bmcucGRm?="

        data
        """)
        XCTAssertEqual(m.root.filename, "rechnung.pdf")
        XCTAssertNil(m.root.disposition)
    }
}
