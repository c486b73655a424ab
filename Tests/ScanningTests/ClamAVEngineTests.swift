import Foundation
import XCTest

@testable import Scanning

final class ClamAVEngineTests: XCTestCase {
    private func projectEngine() throws -> ClamAVEngine {
        try ClamAVEngine(databases: [TestPaths.clamAVRules], logger: TestData.logger)
    }

    func testLoadsProjectSignaturesAndSkipsMissingDirectories() throws {
        let engine = try ClamAVEngine(
            databases: ["/nonexistent/var/lib/clamav", TestPaths.clamAVRules], logger: TestData.logger)
        XCTAssertGreaterThanOrEqual(engine.signatureCount, 4)
    }

    func testNoSignaturesAnywhereIsAnError() throws {
        let empty = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        XCTAssertThrowsError(
            try ClamAVEngine(databases: ["/nonexistent/db", empty.path], logger: TestData.logger)
        ) { error in
            XCTAssertEqual(error as? ScanError, .noSignaturesLoaded(searched: ["/nonexistent/db", empty.path]))
        }
    }

    func testCorruptDatabaseNamesThePath() throws {
        let directory = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("broken.ndb")
        try Data("this is not a signature\n".utf8).write(to: bad)
        XCTAssertThrowsError(try ClamAVEngine(databases: [bad.path], logger: TestData.logger)) { error in
            guard case .databaseLoadFailed(let path, _)? = error as? ScanError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(path, bad.path)
        }
    }

    func testEicarIsDetected() async throws {
        let engine = try projectEngine()
        let found = try await engine.scan(TestData.eicar, name: "eicar.com")
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found[0].hasPrefix("Moat.Test.Eicar"), "\(found)")
        // With the trailing newline most tools add, and inside a real MIME message.
        let withNewline = try await engine.scan(TestData.eicar + [0x0D, 0x0A], name: nil)
        XCTAssertFalse(withNewline.isEmpty)
        let message = Self.mimeMessage(attachment: TestData.eicar, name: "eicar.com")
        let inMessage = try await engine.scan(ScanItem(bytes: message))
        XCTAssertFalse(inMessage.isEmpty, "EICAR in a base64 attachment of the raw message")
    }

    func testEveryClamAVTestFileIsDetectedFromMemory() async throws {
        let engine = try projectEngine()
        let names = try FileManager.default.contentsOfDirectory(atPath: TestPaths.clamAVTestFiles).sorted()
        XCTAssertGreaterThanOrEqual(names.count, 40, "clamav-testfiles package not installed?")
        var report: [String] = []
        for name in names {
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: TestPaths.clamAVTestFiles + "/" + name)))
            let started = ContinuousClock.now
            let found = try await engine.scan(bytes, name: name)
            let elapsed = ContinuousClock.now - started
            XCTAssertFalse(found.isEmpty, "\(name) not detected")
            XCTAssertTrue(found.allSatisfy { $0.hasPrefix("Moat.Test.ClamAV") }, "\(name): \(found)")
            report.append("\(name): \(found.joined(separator: ",")) \(bytes.count)B \(elapsed)")
        }
        print("clamav-testfiles detected:\n  " + report.joined(separator: "\n  "))
    }

    /// Either signature alone covers the whole corpus, so a future libclamav that changes
    /// how it unpacks one format still has the other to fall back on.
    func testEachTestSignatureAloneCoversTheCorpus() async throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: TestPaths.clamAVTestFiles).sorted()
        for database in ["moat-test.ndb", "moat-test.hdb"] {
            let engine = try ClamAVEngine(databases: [TestPaths.clamAVRules + "/" + database], logger: TestData.logger)
            for name in names {
                let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: TestPaths.clamAVTestFiles + "/" + name)))
                let found = try await engine.scan(bytes, name: name)
                XCTAssertFalse(found.isEmpty, "\(name) not detected by \(database) alone")
            }
        }
    }

    func testCleanContentIsClean() async throws {
        let engine = try projectEngine()
        let text = try await engine.scan(Array("Hello,\nthe minutes are attached.\n".utf8), name: "notes.txt")
        XCTAssertEqual(text, [])
        let empty = try await engine.scan([], name: "empty")
        XCTAssertEqual(empty, [])

        let hams = try FileManager.default.contentsOfDirectory(atPath: TestPaths.hamCorpus)
        let first = try XCTUnwrap(hams.sorted().first { $0.hasPrefix("00001.") }, "ham corpus missing")
        let ham = try Array(Data(contentsOf: URL(fileURLWithPath: TestPaths.hamCorpus + "/" + first)))
        let hamResult = try await engine.scan(ScanItem(bytes: ham))
        XCTAssertEqual(hamResult, [])
    }

    func testConcurrentScansShareOneEngine() async throws {
        let engine = try projectEngine()
        let clamExe = try Array(Data(contentsOf: URL(fileURLWithPath: TestPaths.clamAVTestFiles + "/clam.exe")))
        let detections = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<32 {
                group.addTask {
                    let bytes = index % 2 == 0 ? clamExe : Array("clean \(index)".utf8)
                    return try await !engine.scan(bytes, name: nil).isEmpty
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        XCTAssertEqual(detections, 16)
    }

    /// Scans keep working, with a valid engine, while reloads swap engines under them.
    func testReloadDuringScans() async throws {
        let engine = try projectEngine()
        let clamExe = try Array(Data(contentsOf: URL(fileURLWithPath: TestPaths.clamAVTestFiles + "/clam.exe")))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for _ in 0..<5 { try engine.reload() }
            }
            for _ in 0..<40 {
                group.addTask {
                    let found = try await engine.scan(clamExe, name: "clam.exe")
                    XCTAssertEqual(found, ["Moat.Test.ClamAV.NDB.UNOFFICIAL"])
                }
            }
            try await group.waitForAll()
        }
    }

    func testReloadIfChangedPicksUpANewSignatureFile() async throws {
        let directory = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(
            atPath: TestPaths.clamAVRules + "/moat-test.ndb", toPath: directory.appendingPathComponent("moat-test.ndb").path)
        let engine = try ClamAVEngine(databases: [directory.path], logger: TestData.logger)
        let before = engine.signatureCount

        let marker = Array("moat-custom-marker-7f3a9c".utf8)
        let sample = Array("some text ".utf8) + marker + Array(" more text".utf8)
        let cleanBefore = try await engine.scan(sample, name: "sample.txt")
        XCTAssertEqual(cleanBefore, [])
        XCTAssertFalse(try engine.reloadIfChanged(), "nothing changed yet")

        let hex = marker.map { String(format: "%02x", $0) }.joined()
        try Data("Moat.Test.Custom:0:*:\(hex)\n".utf8).write(to: directory.appendingPathComponent("custom.ndb"))
        XCTAssertTrue(try engine.reloadIfChanged())
        XCTAssertEqual(engine.signatureCount, before + 1)
        let found = try await engine.scan(sample, name: "sample.txt")
        XCTAssertEqual(found, ["Moat.Test.Custom.UNOFFICIAL"])
        XCTAssertFalse(try engine.reloadIfChanged(), "already up to date")

        // A broken update keeps the working engine.
        try Data("garbage\n".utf8).write(to: directory.appendingPathComponent("broken.ndb"))
        XCTAssertThrowsError(try engine.reloadIfChanged())
        let stillFound = try await engine.scan(sample, name: "sample.txt")
        XCTAssertEqual(stillFound, ["Moat.Test.Custom.UNOFFICIAL"])
        try FileManager.default.removeItem(at: directory.appendingPathComponent("broken.ndb"))
        try engine.reload()
        XCTAssertEqual(engine.signatureCount, before + 1)
    }

    static func mimeMessage(attachment: [UInt8], name: String) -> [UInt8] {
        let base64 = Data(attachment).base64EncodedString(options: .lineLength76Characters)
        let text = """
            From: a@example.org\r
            To: b@example.org\r
            Subject: test\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain\r
            \r
            see attachment\r
            --b1\r
            Content-Type: application/octet-stream; name="\(name)"\r
            Content-Disposition: attachment; filename="\(name)"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(base64)\r
            --b1--\r

            """
        return Array(text.utf8)
    }
}
