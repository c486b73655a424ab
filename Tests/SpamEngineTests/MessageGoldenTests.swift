import Foundation
import XCTest
import MIME
@testable import SpamEngine

/// Moat's view of 11 corpus messages against SpamAssassin 4.0.1's own, generated once with
/// `perl Fixtures/sa_view.pl Fixtures/sa_view/messages/NAME.eml Fixtures/sa_view/NAME.txt`.
final class MessageGoldenTests: XCTestCase {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sa_view")

    func testMatchesSpamAssassinView() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.dir.path)
            .filter { $0.hasSuffix(".txt") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 10)
        for name in names {
            let base = String(name.dropLast(4))
            let expected = MessageSAView.parseFixture(Array(try Data(contentsOf: Self.dir.appendingPathComponent(name))))
            let bytes = Array(try Data(contentsOf: Self.dir.appendingPathComponent("messages/\(base).eml")))
            let got = MessageSAView.view(of: SAMessage(bytes: bytes))
            XCTAssertEqual(got.body, expected.body, "\(base): body")
            XCTAssertEqual(got.rawbody, expected.rawbody, "\(base): rawbody")
            XCTAssertEqual(got.uris, expected.uris, "\(base): uris")
            XCTAssertEqual(got.mime, expected.mime, "\(base): MIMEEval facts")
            for h in MessageSAView.headerSelectors {
                XCTAssertEqual(got.headers[h], expected.headers[h], "\(base): header \(h)")
            }
        }
    }
}
