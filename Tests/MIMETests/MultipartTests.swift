import XCTest
@testable import MIME

final class MultipartTests: XCTestCase {
    func testSimpleMultipartWithPreambleAndEpilogue() {
        let m = parse("""
        Content-Type: multipart/alternative; boundary="b1"

        preamble
        --b1
        Content-Type: text/plain

        plain
        --b1\t \n\
        Content-Type: text/html; charset=utf-8

        <p>html</p>
        --b1--
        epilogue
        """)
        XCTAssertTrue(m.root.isMultipart)
        XCTAssertEqual(m.leaves.count, 2)
        XCTAssertEqual(m.leaves.map(\.bodyString), ["plain", "<p>html</p>"])
        XCTAssertEqual(m.leaves.map(\.contentType.mimeType), ["text/plain", "text/html"])
        XCTAssertEqual(m.leaves.map(\.depth), [1, 1])
        XCTAssertTrue(m.defects.isEmpty, "\(m.defects)")
    }

    func testNestedThreeDeep() {
        let m = parse("""
        Content-Type: multipart/mixed; boundary=outer

        --outer
        Content-Type: multipart/related; boundary=outer-middle

        --outer-middle
        Content-Type: multipart/alternative; boundary=inner

        --inner
        Content-Type: text/plain

        deep text
        --inner
        Content-Type: text/html

        <b>deep</b>
        --inner--
        --outer-middle
        Content-Type: image/png
        Content-Transfer-Encoding: base64

        iVBORw0KGgo=
        --outer-middle--
        --outer
        Content-Type: application/pdf; name=doc.pdf

        %PDF
        --outer--
        """)
        XCTAssertEqual(m.leaves.map(\.contentType.mimeType), ["text/plain", "text/html", "image/png", "application/pdf"])
        XCTAssertEqual(m.leaves.map(\.depth), [3, 3, 2, 1])
        XCTAssertEqual(m.leaves[0].text(), "deep text")
        XCTAssertEqual(m.leaves[2].decodedBody(), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(m.leaves[3].filename, "doc.pdf")
        XCTAssertEqual(m.allParts.count, 7)
        XCTAssertTrue(m.defects.isEmpty, "\(m.defects)")
    }

    func testMessageRFC822Attachment() {
        let m = parse("""
        Subject: outer
        Content-Type: multipart/mixed; boundary=X

        --X
        Content-Type: text/plain

        see attached
        --X
        Content-Type: message/rfc822
        Content-Disposition: attachment

        Subject: =?utf-8?q?inner_=E2=9C=93?=
        Content-Type: multipart/alternative; boundary=Y

        --Y
        Content-Type: text/plain; charset=iso-8859-1
        Content-Transfer-Encoding: quoted-printable

        Gr=FC=DFe
        --Y--
        --X--
        """)
        let attached = m.root.children[1]
        XCTAssertTrue(attached.isEmbeddedMessage)
        XCTAssertEqual(attached.disposition, "attachment")
        XCTAssertEqual(attached.embeddedMessage?.headers.first("Subject")?.decodedValue, "inner ✓")
        XCTAssertEqual(m.leaves.count, 2)
        XCTAssertEqual(m.leaves[1].text(), "Grüße")
        XCTAssertEqual(m.leaves[1].depth, 3)   // root → rfc822 part → embedded root → leaf
        XCTAssertEqual(m.subject, "outer")
    }

    func testDigestDefaultsToMessage() {
        let m = parse("""
        Content-Type: multipart/digest; boundary=D

        --D

        Subject: one

        body one
        --D--
        """)
        let part = m.root.children[0]
        XCTAssertEqual(part.contentType.mimeType, "message/rfc822")
        XCTAssertEqual(part.embeddedMessage?.headers.first("subject")?.unfoldedValue, "one")
        XCTAssertEqual(m.leaves.first?.bodyString, "body one")
    }

    func testMissingCloseBoundaryTolerated() {
        let m = parse("""
        Content-Type: multipart/mixed; boundary=b

        --b

        one
        --b

        two
        """)
        XCTAssertEqual(m.leaves.map(\.bodyString), ["one", "two"])
        XCTAssertEqual(m.defects, [.unterminatedMultipart])
    }

    func testMissingBoundaryParameterKeepsLeaf() {
        let m = parse("Content-Type: multipart/mixed\n\n--x\n\nhidden\n--x--\n")
        XCTAssertEqual(m.leaves.count, 1)
        XCTAssertFalse(m.root.isMultipart)
        XCTAssertEqual(m.defects, [.missingBoundary])
    }

    func testBoundaryNeverAppears() {
        let m = parse("Content-Type: multipart/mixed; boundary=zz\n\nno parts here\n")
        XCTAssertEqual(m.leaves.count, 1)
        XCTAssertEqual(m.defects, [.boundaryNotFound])
    }

    func testLongerBoundaryLineIsNotADelimiter() {
        let m = parse("Content-Type: multipart/mixed; boundary=ab\n\n--ab\n\nx\n--abc\ny\n--ab--\n")
        XCTAssertEqual(m.leaves.map(\.bodyString), ["x\r\n--abc\r\ny"])
    }

    func testBoundaryWithTrailingSpaceAndBlankBoundary() {
        let m = parse("Content-Type: multipart/mixed; boundary=\"sp \"\n\n--sp\n\nx\n--sp --\n")
        XCTAssertEqual(m.leaves.map(\.bodyString), ["x"])
        XCTAssertTrue(m.defects.isEmpty, "\(m.defects)")
        let blank = parse("Content-Type: multipart/mixed; boundary=\"  \"\n\n--\n\nx\n")
        XCTAssertEqual(blank.leaves.count, 1)
        XCTAssertEqual(blank.defects, [.boundaryNotFound])
    }

    func testBareLFMultipartAndEmptyParts() {
        let m = parse("Content-Type: multipart/mixed; boundary=q\n\n--q\n--q\n\nb\n--q--", crlf: false)
        XCTAssertEqual(m.leaves.count, 2)
        XCTAssertEqual(m.leaves[0].bodyRange.count, 0)
        XCTAssertEqual(m.leaves[1].bodyString, "b")
    }

    func testDangerousDoubleExtensionFilename() {
        let m = parse("""
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: application/octet-stream; name="invoice.pdf"
        Content-Disposition: attachment; filename="invoice.pdf.exe"
        Content-Transfer-Encoding: base64

        TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAA
        --b--
        """)
        let part = m.leaves[0]
        XCTAssertEqual(part.filename, "invoice.pdf.exe")
        XCTAssertEqual(part.disposition, "attachment")
        XCTAssertEqual(Array(part.decodedBody().prefix(2)), [0x4D, 0x5A])   // "MZ"
    }

    func testDepthLimit() {
        var text = ""
        for i in 0..<30 { text += "Content-Type: multipart/mixed; boundary=b\(i)\n\n--b\(i)\n" }
        text += "\nleaf\n"
        let m = parse(text, limits: MIMELimits(maxDepth: 5))
        XCTAssertTrue(m.defects.contains(.depthLimit))
        XCTAssertEqual(m.leaves.count, 1)
        XCTAssertEqual(m.leaves[0].depth, 5)
        XCTAssertTrue(m.leaves[0].contentType.isMultipart)
    }

    func testPartLimit() {
        var text = "Content-Type: multipart/mixed; boundary=b\n\n"
        for i in 0..<50 { text += "--b\n\npart \(i)\n" }
        text += "--b--\n"
        let m = parse(text, limits: MIMELimits(maxParts: 10))
        XCTAssertEqual(m.allParts.count, 10)
        XCTAssertEqual(m.leaves.count, 9)
        XCTAssertTrue(m.defects.contains(.partLimit))
    }

    func testManyPartsLinear() {
        // 10k parts in ~20 MB: must finish quickly (no quadratic rescans); timing is
        // printed, not asserted.
        let filler = String(repeating: "abcdefghij", count: 200)
        var text = "Content-Type: multipart/mixed; boundary=sep\n\n"
        for i in 0..<10_000 { text += "--sep\nContent-Type: text/plain\n\n\(i) \(filler)\n" }
        text += "--sep--\n"
        let raw = bytes(text)
        let start = ContinuousClock.now
        let m = MIMEMessage.parse(raw, limits: MIMELimits(maxParts: 20_000))
        print("parsed \(raw.count) bytes, \(m.leaves.count) leaves in \(ContinuousClock.now - start)")
        XCTAssertEqual(m.leaves.count, 10_000)
        XCTAssertTrue(m.defects.isEmpty)
    }
}
