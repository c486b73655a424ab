import Delivery
import Directory
import Foundation
import MoatCore
import Queue
import XCTest

/// Local delivery into real Maildirs on disk, through a real SQLite directory.
final class LocalDeliveryTests: DeliveryTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try addExampleDomain()
    }

    func testDeliversWithReturnPathAndDeliveredToAndTheBytesUnchanged() async throws {
        let outcomes = await deliver(try deliverer(settings()), message(), to: ["alice@example.com"])
        XCTAssertEqual(outcomes, [.delivered])
        let files = try stored("alice@example.com")
        XCTAssertEqual(files.count, 1)
        let expected = "Return-Path: <sender@example.org>\nDelivered-To: alice@example.com\n"
            + String(decoding: Self.body, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        XCTAssertEqual(files.first, expected)
        XCTAssertEqual(try stored("bob@example.com"), [])
    }

    func testBounceWithNullSenderHasEmptyReturnPath() async throws {
        let outcomes = await deliver(try deliverer(settings()), message(from: ""), to: ["alice@example.com"])
        XCTAssertEqual(outcomes, [.delivered])
        XCTAssertTrue(try stored("alice@example.com").first?.hasPrefix("Return-Path: <>\n") == true)
    }

    func testJunkHintDeliversIntoTheJunkFolderCreatingIt() async throws {
        let outcomes = await deliver(try deliverer(settings()), message(junk: true), to: ["alice@example.com"])
        XCTAssertEqual(outcomes, [.delivered])
        XCTAssertEqual(try stored("alice@example.com"), [], "nothing in the INBOX")
        XCTAssertEqual(try stored("alice@example.com", folder: ".Junk").count, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: maildir("alice@example.com") + "/.Junk/maildirfolder"))
    }

    func testConfiguredJunkFolderName() async throws {
        let deliverer = try deliverer(settings { $0.junkFolder = "Spam.Caught" })
        let outcomes = await deliver(deliverer, message(junk: true), to: ["bob@example.com"])
        XCTAssertEqual(outcomes, [.delivered])
        XCTAssertEqual(try stored("bob@example.com", folder: ".Spam.Caught").count, 1)
    }

    func testOneCopyPerMailboxWhateverLeadsToIt() async throws {
        _ = try store.addAlias("team@example.com", targets: ["alice@example.com", "bob@example.com"])
        _ = try store.addAlias("boss@example.com", targets: ["alice@example.com"])
        let recipients = ["alice@example.com", "team@example.com", "Alice+news@example.com", "boss@example.com"]
        let outcomes = await deliver(try deliverer(settings()), message(), to: recipients)
        XCTAssertEqual(outcomes, Array(repeating: .delivered, count: 4))
        XCTAssertEqual(try stored("alice@example.com").count, 1)
        XCTAssertEqual(try stored("bob@example.com").count, 1)
    }

    func testExtensionIsKeptInDeliveredTo() async throws {
        let outcomes = await deliver(try deliverer(settings()), message(), to: ["alice+news@example.com"])
        XCTAssertEqual(outcomes, [.delivered])
        XCTAssertTrue(try stored("alice@example.com").first?.contains("\nDelivered-To: alice+news@example.com\n") == true)
    }

    func testCatchAllTakesUnknownLocalParts() async throws {
        _ = try store.addAlias("@example.com", targets: ["bob@example.com"])
        let outcomes = await deliver(try deliverer(settings()), message(), to: ["whoever@example.com", "alice@example.com"])
        XCTAssertEqual(outcomes, [.delivered, .delivered])
        XCTAssertEqual(try stored("bob@example.com").count, 1)
        XCTAssertEqual(try stored("alice@example.com").count, 1, "a catch-all never swallows a mailbox")
    }

    func testUnknownUserFailsPermanently511() async throws {
        let outcomes = await deliver(try deliverer(settings()), message(), to: ["nobody@example.com", "alice@example.com"])
        XCTAssertEqual(outcomes, [.permanentFailure(status: "5.1.1", text: "unknown user: \"nobody@example.com\""), .delivered])
    }

    func testAliasToAnUnknownUserNamesTheTarget() async throws {
        _ = try store.addAlias("typo@example.com", targets: ["alise@example.com", "bob@example.com"])
        let outcomes = await deliver(try deliverer(settings()), message(), to: ["typo@example.com"])
        XCTAssertEqual(outcomes.map(describe), ["permanent 5.1.1 unknown user: \"alise@example.com\""])
        XCTAssertEqual(try stored("bob@example.com").count, 1, "the good target still gets its copy")
    }

    func testAliasLoopDefersWith460() async throws {
        _ = try store.addAlias("ping@example.com", targets: ["pong@example.com"])
        _ = try store.addAlias("pong@example.com", targets: ["ping@example.com"])
        let outcomes = await deliver(try deliverer(settings()), message(), to: ["ping@example.com"])
        XCTAssertEqual(outcomes.map(describe), ["temporary 4.6.0 alias expansion error for <ping@example.com>"])
    }

    func testOverQuotaDefersWith422AndStoresNothing() async throws {
        _ = try store.addMailbox("small@example.com", password: Array("secret".utf8), quotaBytes: 100)
        let outcomes = await deliver(try deliverer(settings()), message(), to: ["small@example.com", "alice@example.com"])
        XCTAssertEqual(outcomes.map(describe), ["temporary 4.2.2 mailbox full: <small@example.com> is over its quota",
                                                "delivered"])
        XCTAssertEqual(try stored("small@example.com"), [])
        // Under quota it goes through, and maildirsize counts it.
        try store.setQuota("small@example.com", bytes: 10_000)
        let again = await deliver(try deliverer(settings()), message(), to: ["small@example.com"])
        XCTAssertEqual(again, [.delivered])
        let size = try String(contentsOfFile: maildir("small@example.com") + "/maildirsize", encoding: .utf8)
        XCTAssertTrue(size.hasPrefix("10000S\n"), size)
    }

    func testDiskErrorDefersWith430() async throws {
        // `new` is a file, not a directory: the link into it fails (ENOTDIR), as a
        // damaged Maildir would. Permissions would not do: the tests may run as root.
        let inbox = maildir("alice@example.com")
        for directory in ["cur", "tmp"] {
            try FileManager.default.createDirectory(atPath: "\(inbox)/\(directory)", withIntermediateDirectories: true)
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: "\(inbox)/new", contents: Data()))
        let outcomes = await deliver(try deliverer(settings()), message(), to: ["alice@example.com", "bob@example.com"])
        XCTAssertEqual(outcomes.count, 2)
        guard case .temporaryFailure(let status, let text) = outcomes[0] else { return XCTFail("\(outcomes)") }
        XCTAssertEqual(status, "4.3.0")
        XCTAssertTrue(text.hasPrefix("maildir delivery failed: "), text)
        XCTAssertFalse(text.contains(root), "paths stay in the log, not in bounces: \(text)")
        XCTAssertEqual(outcomes[1], .delivered)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: "\(inbox)/tmp"), [], "no tmp leftovers")
    }

    func testMessageThatWasDeliveredHereBeforeIsAForwardingLoop() async throws {
        let looped = Array("Delivered-To: other@example.net\r\ndelivered-to:  Alice@Example.com \r\n".utf8) + Self.body
        let outcomes = await deliver(try deliverer(settings()), message(bytes: looped),
                                     to: ["alice@example.com", "bob@example.com"])
        XCTAssertEqual(outcomes.map(describe), ["permanent 5.4.6 mail forwarding loop for alice@example.com", "delivered"])
        XCTAssertEqual(try stored("alice@example.com"), [])
        // In the body it is only text.
        let quoted = Self.body + Array("Delivered-To: alice@example.com\r\n".utf8)
        let fine = await deliver(try deliverer(settings()), message(bytes: quoted), to: ["alice@example.com"])
        XCTAssertEqual(fine, [.delivered])
    }

    func testInactiveMailboxIsUnknown() async throws {
        try store.setMailboxActive("bob@example.com", false)
        let outcomes = await deliver(try deliverer(settings()), message(), to: ["bob@example.com"])
        XCTAssertEqual(outcomes.map(describe), ["permanent 5.1.1 unknown user: \"bob@example.com\""])
    }

    func testEmptyDelimiterTurnsExtensionsOff() async throws {
        let deliverer = try deliverer(settings { $0.recipientDelimiter = "" })
        let outcomes = await deliver(deliverer, message(), to: ["alice+news@example.com"])
        XCTAssertEqual(outcomes.map(describe), ["permanent 5.1.1 unknown user: \"alice+news@example.com\""])
    }

    func testInvalidJunkFolderIsRefusedAtSetUp() throws {
        XCTAssertThrowsError(try deliverer(settings { $0.junkFolder = "a..b" })) { error in
            XCTAssertEqual(error as? DeliverySetupError, .invalidJunkFolder("a..b"))
        }
    }

    /// Measures local throughput: one small message into one mailbox, fsyncs included.
    func testLocalDeliveryRate() async throws {
        let deliverer = try deliverer(settings())
        let count = 300
        await measureSequentialDeliveries(count, by: deliverer, to: "alice@example.com", label: "local delivery")

        // The scheduler runs deliveries concurrently (max_concurrent_deliveries).
        let parallel = 6
        let batches = (0..<parallel).map { worker in (0..<(count / parallel)).map { message(id: "PAR\(worker)X\($0)") } }
        let bob = address("bob@example.com")
        let concurrentStart = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for batch in batches {
                group.addTask {
                    for message in batch { _ = await deliverer.deliver(message, to: [bob]) }
                }
            }
        }
        printRate("local delivery", count, since: concurrentStart, detail: "\(parallel) concurrent")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: maildir("alice@example.com") + "/new").count, count)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: maildir("bob@example.com") + "/new").count, count)
    }
}
