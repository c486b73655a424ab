import Foundation
import XCTest
@testable import Scanning

/// Moat's test signatures are told apart from real databases by content, so a database set
/// that holds nothing else is refused at start-up (issue 10, item 4).
final class ClamAVTestSignaturesTests: XCTestCase {
    func testMoatsOwnDirectoryHoldsNoRealDatabase() {
        XCTAssertFalse(ClamAVTestSignatures.hasRealDatabase(in: [TestPaths.clamAVRules]))
        XCTAssertFalse(ClamAVTestSignatures.hasRealDatabase(in: ["/nonexistent-\(UUID().uuidString)"]))
    }

    func testJudgedByContentNotByName() throws {
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, _ text: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        // Moat's signatures under freshclam-like names are still test signatures.
        let ndb = try String(contentsOfFile: TestPaths.clamAVRules + "/moat-test.ndb", encoding: .utf8)
        let hdb = try String(contentsOfFile: TestPaths.clamAVRules + "/moat-test.hdb", encoding: .utf8)
        _ = try write("main.ndb", "# comment\n\n" + ndb)
        _ = try write("daily.hdb", hdb)
        // Allow lists and non-database files detect nothing.
        _ = try write("local.fp", "44d88612fea8a8f36de82e1278abb02f:68:Site.Allowed\n")
        _ = try write("README.md", "Site.Readme:0:*:00\n")
        XCTAssertFalse(ClamAVTestSignatures.hasRealDatabase(in: [dir.path]))

        // One foreign signature among Moat's makes a file real; a signed container always is.
        let mixed = try write("mixed.ndb", ndb + "Site.Marker:0:*:6d6f6174\n")
        XCTAssertTrue(ClamAVTestSignatures.hasRealDatabase(in: [dir.path]))
        // A single file named directly counts too.
        XCTAssertTrue(ClamAVTestSignatures.hasRealDatabase(in: [mixed]))
        try FileManager.default.removeItem(atPath: mixed)
        XCTAssertFalse(ClamAVTestSignatures.hasRealDatabase(in: [dir.path]))
        _ = try write("main.cvd", "ClamAV-VDB:binary")
        XCTAssertTrue(ClamAVTestSignatures.hasRealDatabase(in: [dir.path]))
    }
}
