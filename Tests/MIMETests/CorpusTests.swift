import XCTest
@testable import MIME

final class CorpusTests: XCTestCase {
    func testWholeCorpusParsesAndDecodes() throws {
        let files = try Corpus.files()
        var withSubjectOrFrom = 0
        var leafCount = 0
        var textChars = 0
        var multipart = 0
        var defective = 0
        var mboxLines = 0
        for url in files {
            guard let raw = Corpus.load(url) else { continue }
            let message = MIMEMessage.parse(raw)
            if message.hasMboxFromLine { mboxLines += 1 }
            XCTAssertFalse(message.leaves.isEmpty, url.lastPathComponent)
            if message.subject != nil || message.from != nil { withSubjectOrFrom += 1 }
            if message.root.isMultipart { multipart += 1 }
            if !message.defects.isEmpty { defective += 1 }
            for leaf in message.leaves {
                leafCount += 1
                XCTAssertTrue(message.bytes.indices.contains(leaf.bodyRange.lowerBound) || leaf.bodyRange.isEmpty)
                XCTAssertLessThanOrEqual(leaf.bodyRange.upperBound, raw.count)
                let decoded = leaf.decodedBody()
                if leaf.transferEncoding == "7bit" || leaf.transferEncoding == "8bit" {
                    XCTAssertEqual(decoded.count, leaf.bodyRange.count)
                }
                textChars += leaf.text()?.count ?? 0
                _ = leaf.filename
            }
            for field in message.header.fields { _ = field.decodedValue }
        }
        print("corpus: \(files.count) messages, \(multipart) multipart, \(leafCount) leaves, "
              + "\(textChars) text characters, \(defective) with defects, \(mboxLines) with an mbox From line, "
              + "\(withSubjectOrFrom) with subject or from")
        XCTAssertGreaterThan(Double(withSubjectOrFrom), 0.95 * Double(files.count))
        XCTAssertGreaterThan(multipart, 0)
        XCTAssertGreaterThan(mboxLines, files.count / 2)
    }
}
