import Foundation
import MoatCore
import XCTest
@testable import Quarantine

/// The store against a real directory and SQLite index under a fresh temporary directory.
final class QuarantineStoreTests: XCTestCase {
    private var root: URL!
    private var quarantineDir: String { root.appendingPathComponent("q/files").path }
    private var indexPath: String { root.appendingPathComponent("var/db/quarantine.sqlite").path }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("moat-quarantine-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    // MARK: Helpers

    private func makeStore() throws -> QuarantineStore {
        try QuarantineStore(directory: quarantineDir, indexPath: indexPath)
    }

    private func envelope(_ sender: String = "sender@example.org",
                          _ recipients: [String] = ["a@example.com", "b@example.com"]) -> Envelope {
        Envelope(sender: sender.isEmpty ? .null : EmailAddress(parsing: sender)!,
                 recipients: recipients.map { EmailAddress(parsing: $0)! })
    }

    private func entry(_ id: String = MailID.generate(), category: QuarantineCategory = .spam,
                       time: Date = Date(timeIntervalSince1970: 1_700_000_000),
                       recipients: [String] = ["a@example.com"]) -> QuarantineEntry {
        QuarantineEntry(mailID: id, time: time, sender: "sender@example.org", recipients: recipients,
                        category: category, score: 12.5, tests: ["GTUBE", "BAYES_99"],
                        virusNames: category == .virus ? ["Eicar-Signature"] : [],
                        bannedNames: category == .banned ? ["x.exe"] : [],
                        subject: "Buy now", messageID: "<m1@example.org>")
    }

    private let message = Array("From: s@example.org\r\nSubject: Buy now\r\n\r\nbody\r\n".utf8)

    @discardableResult
    private func store(_ store: QuarantineStore, _ entry: QuarantineEntry,
                       message: [UInt8]? = nil) throws -> QuarantineEntry {
        let bytes = message ?? self.message
        try store.store(message: bytes, envelope: envelope(), entry: entry)
        var stored = entry
        stored.size = bytes.count
        return stored
    }

    // MARK: Store and load

    /// The index names senders, recipients and subjects: 0600 with its -wal and -shm, in
    /// 0700 directories, whatever the umask (a test runner's is usually 022).
    func testIndexFilesAndDirectoriesAreOwnerOnly() throws {
        let quarantine = try makeStore()
        let stored = entry()
        try store(quarantine, stored)
        let files = [indexPath, indexPath + "-wal", indexPath + "-shm", try quarantine.messagePath(id: stored.mailID, category: stored.category)]
        for path in files {
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
            XCTAssertEqual(mode?.intValue, 0o600, path)
        }
        for path in [quarantineDir, DurableFile.parentDirectory(of: indexPath)] {
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
            XCTAssertEqual(mode?.intValue, 0o700, path)
        }
    }

    func testStoreWritesEnvelopeHeadersThenExactOriginalBytes() throws {
        let q = try makeStore()
        let e = try store(q, entry(category: .virus))
        let path = try q.messagePath(id: e.mailID, category: .virus)
        XCTAssertEqual(path, "\(quarantineDir)/virus-\(e.mailID)")
        let file = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let header = """
            X-Envelope-From: <sender@example.org>\r
            X-Envelope-To: <a@example.com>,\r
             <b@example.com>\r
            X-Envelope-To-Blocked: <a@example.com>\r
            X-Quarantine-ID: <\(e.mailID)>\r

            """
        XCTAssertEqual(String(decoding: file.prefix(header.utf8.count), as: UTF8.self), header)
        XCTAssertEqual(Array(file.dropFirst(header.utf8.count)), message)
        XCTAssertEqual(try q.entry(e.mailID), e)

        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let dirAttributes = try FileManager.default.attributesOfItem(atPath: quarantineDir)
        XCTAssertEqual((dirAttributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        // No temporary file is left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: quarantineDir), ["virus-\(e.mailID)"])
    }

    func testLoadRoundTripsBinaryBytesExactly() throws {
        let q = try makeStore()
        var binary: [UInt8] = Array("Subject: bin\n\n".utf8)
        binary += [0x00, 0x0D, 0x41, 0x0D, 0x0D, 0x0A, 0x0A, 0xFF, 0xFE, 0x80, 0xC3, 0x28, 0x00]
        binary += (0...255).map { UInt8($0) }
        binary += [UInt8](repeating: 0x2E, count: 200_000) + [0x0D]  // big, ends in a bare CR
        let cases: [[UInt8]] = [binary, [], [0x00], Array("no newline at all".utf8), message]
        for bytes in cases {
            let e = entry()
            let env = envelope("", ["\"odd, >name\"@example.com", "r@bücher.example"])
            try q.store(message: bytes, envelope: env, entry: e)
            let loaded = try q.load(e.mailID)
            XCTAssertEqual(loaded.message, bytes)
            XCTAssertEqual(loaded.envelope, env)
            XCTAssertEqual(try q.entry(e.mailID)?.size, bytes.count)
        }
    }

    func testLoadDetectsTruncatedFile() throws {
        let q = try makeStore()
        let e = try store(q, entry())
        let path = try q.messagePath(id: e.mailID, category: e.category)
        let file = try Data(contentsOf: URL(fileURLWithPath: path))
        try file.dropLast(3).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try q.load(e.mailID)) {
            guard case QuarantineError.corruptFile(path: path, _) = $0 else { return XCTFail("\($0)") }
        }
        try FileManager.default.removeItem(atPath: path)
        XCTAssertThrowsError(try q.load(e.mailID)) {
            guard case QuarantineError.io(_, path, ENOENT) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testDuplicateIDIsRefusedAndOriginalKept() throws {
        let q = try makeStore()
        let first = try store(q, entry())
        for category in [QuarantineCategory.spam, .virus] {
            var again = entry(first.mailID, category: category)
            again.subject = "second"
            XCTAssertThrowsError(try store(q, again, message: Array("other".utf8))) {
                guard case QuarantineError.duplicateID(first.mailID) = $0 else { return XCTFail("\($0)") }
            }
        }
        XCTAssertEqual(try q.entry(first.mailID), first)
        XCTAssertEqual(try q.load(first.mailID).message, message)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: quarantineDir),
                       ["spam-\(first.mailID)"])
    }

    func testInvalidIDsAreRefused() throws {
        let q = try makeStore()
        for bad in ["", "../x", "../../etc/passwd", "short", "abc/defghijkl", "AbCdEfGh.123", String(repeating: "a", count: 33)] {
            XCTAssertThrowsError(try store(q, entry(bad)), bad) {
                guard case QuarantineError.invalidID(bad) = $0 else { return XCTFail("\($0)") }
            }
            XCTAssertThrowsError(try q.entry(bad), bad)
            XCTAssertThrowsError(try q.load(bad), bad)
            XCTAssertThrowsError(try q.delete(bad), bad)
            XCTAssertThrowsError(try q.markReleased(release(bad, to: ["a@b"], at: Date())), bad)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: quarantineDir), [])
        XCTAssertEqual(try q.list(), [])
    }

    func testUnknownIDIsNotFound() throws {
        let q = try makeStore()
        let id = MailID.generate()
        XCTAssertNil(try q.entry(id))
        for call in [{ _ = try q.load(id) }, { try q.delete(id) }, { try q.markReleased(self.release(id, to: [], at: Date())) }] {
            XCTAssertThrowsError(try call()) {
                guard case QuarantineError.notFound(id) = $0 else { return XCTFail("\($0)") }
            }
        }
    }

    // MARK: Index operations

    func testListFiltersByCategoryAndSinceNewestFirst() throws {
        let q = try makeStore()
        let base = Date(timeIntervalSince1970: 1_700_000_000)
        let e1 = try store(q, entry(category: .spam, time: base))
        let e2 = try store(q, entry(category: .virus, time: base + 60))
        let e3 = try store(q, entry(category: .spam, time: base + 120))
        let e4 = try store(q, entry(category: .badHeader, time: base + 180.25))

        XCTAssertEqual(try q.list(), [e4, e3, e2, e1])
        XCTAssertEqual(try q.list(QuarantineFilter(category: .spam)), [e3, e1])
        XCTAssertEqual(try q.list(QuarantineFilter(since: base + 60)), [e4, e3, e2])
        XCTAssertEqual(try q.list(QuarantineFilter(category: .spam, since: base + 1)), [e3])
        XCTAssertEqual(try q.list(QuarantineFilter(limit: 2)), [e4, e3])
        XCTAssertEqual(try q.list(QuarantineFilter(category: .clean)), [])
        XCTAssertEqual(try q.list(QuarantineFilter(category: .badHeader)).first?.time, base + 180.25)
    }

    func testTimesSurviveTheIndex() throws {
        let q = try makeStore()
        let now = Date()
        let e = try store(q, entry(time: now))
        let back = try XCTUnwrap(q.entry(e.mailID))
        XCTAssertEqual(back.time.timeIntervalSince1970, now.timeIntervalSince1970, accuracy: 1e-6)
    }

    func testMarkReleasedAppendsRecipients() throws {
        let q = try makeStore()
        let e = try store(q, entry())
        let t1 = Date(timeIntervalSince1970: 1_700_001_000)
        let t2 = Date(timeIntervalSince1970: 1_700_002_000)
        try q.markReleased(release(e.mailID, to: ["a@example.com"], at: t1))
        var expected = e
        expected.releasedAt = t1
        expected.releasedTo = ["a@example.com"]
        expected.releasedBy = "admin"
        XCTAssertEqual(try q.entry(e.mailID), expected)

        try q.markReleased(release(e.mailID, to: ["b@example.com", "a@example.com"], at: t2, by: "root"))
        expected.releasedAt = t2
        expected.releasedTo = ["a@example.com", "b@example.com"]
        expected.releasedBy = "root"
        XCTAssertEqual(try q.entry(e.mailID), expected)
        XCTAssertEqual(try q.load(e.mailID).message, message)
        // The history keeps each release: when, who, to whom, which way.
        XCTAssertEqual(try q.releases(of: e.mailID), [
            release(e.mailID, to: ["a@example.com"], at: t1),
            release(e.mailID, to: ["b@example.com", "a@example.com"], at: t2, by: "root"),
        ])
        try q.delete(e.mailID)
        XCTAssertEqual(try q.releases(of: e.mailID), [], "a deleted entry leaves no history behind")
    }

    private func release(_ id: String, to recipients: [String], at time: Date, by user: String = "admin") -> QuarantineRelease {
        QuarantineRelease(mailID: id, time: time, releasedBy: user, recipients: recipients, route: "reinject 127.0.0.1:10025")
    }

    func testReferencesInTheLogsFormNameTheEntry() {
        XCTAssertEqual(QuarantineReference.mailID("virus-Ab3dEf9hIjK1"), "Ab3dEf9hIjK1")
        XCTAssertEqual(QuarantineReference.mailID("badh-Ab3dEf9hIjK1"), "Ab3dEf9hIjK1")
        XCTAssertEqual(QuarantineReference.mailID("Ab3dEf9hIjK1"), "Ab3dEf9hIjK1")
        XCTAssertEqual(QuarantineReference.mailID("nope-Ab3dEf9hIjK1"), "nope-Ab3dEf9hIjK1")
        // A generated ID may itself start like a prefix: it stays whole.
        XCTAssertEqual(QuarantineReference.mailID("spam-x7Yz_09"), "spam-x7Yz_09")
    }

    func testDeleteRemovesFileAndRow() throws {
        let q = try makeStore()
        let keep = try store(q, entry())
        let gone = try store(q, entry(category: .banned))
        let path = try q.messagePath(id: gone.mailID, category: .banned)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        try q.delete(gone.mailID)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertNil(try q.entry(gone.mailID))
        XCTAssertEqual(try q.list(), [keep])
        XCTAssertThrowsError(try q.delete(gone.mailID))

        // A row whose file is already gone can still be deleted.
        try FileManager.default.removeItem(atPath: try q.messagePath(id: keep.mailID, category: keep.category))
        try q.delete(keep.mailID)
        XCTAssertEqual(try q.list(), [])
    }

    func testPurgeRemovesOnlyOldEntries() throws {
        let q = try makeStore()
        // Whole seconds, so entries compare equal after the index round trip.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let old1 = try store(q, entry(category: .spam, time: now - 10 * 86400))
        let old2 = try store(q, entry(category: .virus, time: now - 8 * 86400))
        let young = try store(q, entry(category: .spam, time: now - 86400))
        let cutoff = now - 7 * 86400

        XCTAssertEqual(try q.purge(olderThan: cutoff), 2)
        XCTAssertEqual(try q.list(), [young])
        for old in [old1, old2] {
            XCTAssertNil(try q.entry(old.mailID))
            XCTAssertFalse(FileManager.default.fileExists(atPath: try q.messagePath(id: old.mailID, category: old.category)))
        }
        XCTAssertEqual(try q.load(young.mailID).message, message)
        XCTAssertEqual(try q.purge(olderThan: cutoff), 0)
    }

    func testPurgeSweepsOldLeftoversOnly() throws {
        let q = try makeStore()
        let kept = try store(q, entry(time: Date()))
        let longAgo = Date(timeIntervalSinceNow: -3 * 86400)
        func leftover(_ name: String, modified: Date?) throws -> String {
            let path = "\(quarantineDir)/\(name)"
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
            if let modified {
                try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
            }
            return path
        }
        let oldOrphan = try leftover("spam-\(MailID.generate())", modified: longAgo)
        let oldTemp = try leftover(".tmp.\(MailID.generate()).\(MailID.generate())", modified: longAgo)
        let freshOrphan = try leftover("virus-\(MailID.generate())", modified: nil)
        let freshTemp = try leftover(".tmp.\(MailID.generate()).x", modified: nil)
        let foreign = try leftover("README", modified: longAgo)
        // The indexed file is old on disk, but its row is what counts.
        let keptPath = try q.messagePath(id: kept.mailID, category: kept.category)
        try FileManager.default.setAttributes([.modificationDate: longAgo], ofItemAtPath: keptPath)

        // Cutoff in the future: the grace period still protects fresh files.
        XCTAssertEqual(try q.purge(olderThan: Date(timeIntervalSinceNow: -86400)), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: oldOrphan))
        XCTAssertFalse(FileManager.default.fileExists(atPath: oldTemp))
        for path in [freshOrphan, freshTemp, foreign, keptPath] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), path)
        }
        XCTAssertEqual(try q.purge(olderThan: Date(timeIntervalSinceNow: 60)), 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: freshOrphan))
        XCTAssertFalse(FileManager.default.fileExists(atPath: keptPath))
    }

    func testStatsCountsPerCategory() throws {
        let q = try makeStore()
        let base = Date(timeIntervalSince1970: 1_700_000_000)
        try store(q, entry(category: .spam, time: base), message: [UInt8](repeating: 65, count: 100))
        try store(q, entry(category: .spam, time: base + 10), message: [UInt8](repeating: 65, count: 50))
        try store(q, entry(category: .virus, time: base + 20), message: [UInt8](repeating: 65, count: 7))

        let all = try q.stats()
        XCTAssertEqual(all[.spam], QuarantineStats(count: 2, bytes: 150))
        XCTAssertEqual(all[.virus], QuarantineStats(count: 1, bytes: 7))
        XCTAssertEqual(all[.clean], QuarantineStats(count: 0, bytes: 0))
        XCTAssertEqual(Set(all.keys), Set(QuarantineCategory.allCases))

        let recent = try q.stats(since: base + 5)
        XCTAssertEqual(recent[.spam], QuarantineStats(count: 1, bytes: 50))
        XCTAssertEqual(recent[.virus], QuarantineStats(count: 1, bytes: 7))
    }

    func testReopeningSeesEarlierRows() throws {
        var stored: [QuarantineEntry] = []
        do {
            let q = try makeStore()
            stored.append(try store(q, entry(time: Date(timeIntervalSince1970: 1_700_000_000))))
        }
        let q2 = try makeStore()
        stored.append(try store(q2, entry(time: Date(timeIntervalSince1970: 1_700_000_100))))
        let q3 = try makeStore()  // a second instance open at the same time, as the CLI is
        XCTAssertEqual(try q3.list(), stored.reversed())
        XCTAssertEqual(try q3.load(stored[0].mailID).message, message)
    }

    func testConcurrentStoresAllLand() async throws {
        let q = try makeStore()
        let message = self.message
        let env = envelope()
        let entries = (0..<8).map { entry(category: QuarantineCategory.allCases[$0 % 5], time: Date(timeIntervalSince1970: 1_700_000_000 + Double($0))) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for e in entries {
                group.addTask {
                    try q.store(message: message, envelope: env, entry: e)
                }
            }
            try await group.waitForAll()
        }
        let listed = try q.list()
        XCTAssertEqual(listed.count, 8)
        XCTAssertEqual(Set(listed.map(\.mailID)), Set(entries.map(\.mailID)))
        for e in entries {
            let loaded = try q.load(e.mailID)
            XCTAssertEqual(loaded.message, message)
            XCTAssertEqual(loaded.envelope, env)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: quarantineDir).count, 8)
    }

    func testErrorDescriptionsCarryContext() {
        XCTAssertEqual(QuarantineError.io(operation: "open", path: "/q/x", errno: ENOENT).description,
                       "open /q/x: No such file or directory (errno 2)")
        XCTAssertEqual(QuarantineError.invalidID("../x").description, "invalid quarantine ID \"../x\"")
    }
}
