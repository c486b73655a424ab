import XCTest
@testable import SpamEngine

final class GTUBECheckTests: XCTestCase {
    func testGTUBEScoresThousand() async throws {
        let message = Array("Subject: x\r\n\r\nline\r\n".utf8) + GTUBECheck.marker + Array("\r\n".utf8)
        let verdict = try await GTUBECheck().check(message)
        XCTAssertEqual(verdict.score, 1000)
        XCTAssertEqual(verdict.hits.map(\.name), ["GTUBE"])
    }

    func testNearMissesAreClean() async throws {
        var almost = GTUBECheck.marker
        almost[almost.count - 1] = UInt8(ascii: "Y")
        for message in [[], Array(GTUBECheck.marker.dropLast()), almost, Array(repeating: GTUBECheck.marker[0], count: 500)] {
            let verdict = try await GTUBECheck().check(message)
            XCTAssertEqual(verdict, .empty)
        }
    }

    func testHitsAreSortedAndSummed() {
        let verdict = SpamVerdict(hits: [.init(name: "Z_RULE", score: 1.5), .init(name: "A_RULE", score: -0.5)])
        XCTAssertEqual(verdict.hits.map(\.name), ["A_RULE", "Z_RULE"])
        XCTAssertEqual(verdict.score, 1.0)
    }
}
