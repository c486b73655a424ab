import Foundation
import MoatCore
import XCTest
@testable import Mailstore

final class MaildirWriterTests: MaildirTestCase {
    func testFirstDeliveryCreatesLayoutWithPrivateModes() throws {
        let delivered = try writer.deliver(bytes("Subject: hi\n\nbody\n"), from: sender, to: try target(bob))
        let maildir = "\(root)/example.test/bob/Maildir"
        for directory in [maildir, "\(maildir)/cur", "\(maildir)/new", "\(maildir)/tmp"] {
            XCTAssertEqual(try mode(directory), 0o700, directory)
        }
        XCTAssertEqual(try mode(delivered.path), 0o600)
        XCTAssertEqual(delivered.path, "\(maildir)/new/\(delivered.name.text)")
        XCTAssertEqual(try names(in: "\(maildir)/tmp"), [])
        XCTAssertEqual(try names(in: "\(maildir)/cur"), [])
    }

    func testHeadersArePrependedByteExactReturnPathFirst() throws {
        let message = bytes("Received: from x\nSubject: Hi\n\nBody line\n")
        let recipient = EmailAddress(parsing: "Bob@Example.TEST")!
        let delivered = try writer.deliver(message, from: sender, to: try target(recipient))
        let expected = bytes("Return-Path: <alice@sender.test>\nDelivered-To: bob@example.test\n") + message
        XCTAssertEqual(try contents(delivered.path), expected)
        XCTAssertTrue(delivered.path.contains("/example.test/Bob/Maildir/new/"), "domain folded, user kept")
    }

    func testNullSenderIsAnEmptyReturnPath() throws {
        let delivered = try writer.deliver(bytes("\n"), from: .null, to: try target(bob))
        XCTAssertEqual(try contents(delivered.path), bytes("Return-Path: <>\nDelivered-To: bob@example.test\n\n"))
    }

    func testCRLFIsStoredAsLFAndSizesDescribeTheStoredFile() throws {
        let message = bytes("Subject: crlf\r\n\r\nline one\r\nbare\rcr\r\nend")
        let delivered = try writer.deliver(message, from: sender, to: try target(bob))
        let stored = try contents(delivered.path)
        let expected = bytes("Return-Path: <alice@sender.test>\nDelivered-To: bob@example.test\n"
            + "Subject: crlf\n\nline one\nbare\rcr\nend")
        XCTAssertEqual(stored, expected)
        XCTAssertEqual(delivered.size, stored.count)
        let lineFeeds = stored.filter { $0 == UInt8(ascii: "\n") }.count
        XCTAssertEqual(delivered.virtualSize, stored.count + lineFeeds)
        XCTAssertTrue(delivered.name.text.hasSuffix(",S=\(stored.count),W=\(stored.count + lineFeeds)"))
        XCTAssertEqual(MaildirName.storedSize(inFileName: delivered.name.text[...]), Int64(stored.count))
    }

    func testJunkFolderGetsItsDirectoriesAndMaildirfolderMarker() throws {
        let delivered = try writer.deliver(bytes("Subject: spam\n\n"), from: sender, to: try target(bob, folder: .junk))
        let maildir = "\(root)/example.test/bob/Maildir"
        XCTAssertTrue(delivered.path.hasPrefix("\(maildir)/.Junk/new/"))
        XCTAssertEqual(try names(in: "\(maildir)/.Junk"), ["cur", "maildirfolder", "new", "tmp"])
        XCTAssertEqual(try contents("\(maildir)/.Junk/maildirfolder"), [])
        XCTAssertEqual(try mode("\(maildir)/.Junk/maildirfolder"), 0o600)
        XCTAssertEqual(try mode("\(maildir)/.Junk/new"), 0o700)
        XCTAssertEqual(try names(in: "\(maildir)/.Junk/tmp"), [])
        XCTAssertEqual(try names(in: "\(maildir)/new"), [], "the INBOX exists but got nothing")
        _ = try writer.deliver(bytes("Subject: again\n\n"), from: sender, to: try target(bob, folder: .junk))
        XCTAssertEqual(try names(in: "\(maildir)/.Junk/new").count, 2)
    }

    func testFolderNamesAreValidatedAndEncodedLikeDovecot() throws {
        XCTAssertEqual(try MaildirFolder("Entwürfe").directoryName, ".Entw&APw-rfe")
        XCTAssertEqual(try MaildirFolder("R&D").directoryName, ".R&-D")
        XCTAssertEqual(try MaildirFolder("Archive.2024").directoryName, ".Archive.2024")
        XCTAssertEqual(try MaildirFolder("inbox"), .inbox)
        for bad in ["", ".Junk", "a..b", "Junk.", "a/b", "x\ny"] {
            XCTAssertThrowsError(try MaildirFolder(bad), bad) {
                XCTAssertEqual($0 as? MailstoreError, .invalidFolderName(bad))
            }
        }
    }

    func testMailboxNamesThatWouldEscapeTheRootAreRefused() {
        for (domain, user) in [("example.test", "../etc"), ("example.test", "a/b"), ("..", "bob"),
                               ("example.test", ""), ("example.test", ".Junk")] {
            XCTAssertThrowsError(try MaildirPath(root: root, domain: domain, user: user)) { error in
                XCTAssertEqual((error as? MailstoreError)?.isTemporary, false)
                XCTAssertEqual((error as? MailstoreError)?.enhancedStatusCode, "5.1.3")
            }
        }
    }

    func testAddressesThatWouldInjectHeadersAreRefused() throws {
        let evil = EmailAddress(uncheckedLocalPart: "x\nBcc: y", domain: "sender.test")
        XCTAssertThrowsError(try writer.deliver(bytes("\n"), from: evil, to: try target(bob))) {
            guard case MailstoreError.invalidAddress = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(root)/example.test"))
    }

    func testFailedLinkIntoNewRemovesTheTmpFile() throws {
        let maildir = "\(root)/example.test/bob/Maildir"
        try FileManager.default.createDirectory(atPath: "\(maildir)/tmp", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(maildir)/cur", withIntermediateDirectories: true)
        // `new` is a file: the message is written and fsync'ed in tmp/, then link fails.
        XCTAssertTrue(FileManager.default.createFile(atPath: "\(maildir)/new", contents: Data()))
        XCTAssertThrowsError(try writer.deliver(bytes("Subject: x\n\n"), from: sender, to: try target(bob))) { error in
            guard case MailstoreError.io(let operation, let path, let code) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(operation, "link")
            XCTAssertTrue(path.hasPrefix("\(maildir)/new/"), path)
            XCTAssertEqual(code, ENOTDIR)
            XCTAssertTrue((error as? MailstoreError)?.isTemporary == true)
            XCTAssertEqual((error as? MailstoreError)?.enhancedStatusCode, "4.3.0")
        }
        XCTAssertEqual(try names(in: "\(maildir)/tmp"), [])
    }

    func testWriteFailureMidFileRemovesTheTmpFile() throws {
        // A real short write: RLIMIT_FSIZE makes write(2) fail with EFBIG once the file
        // reaches the limit (SIGXFSZ ignored so the process survives it).
        let maildir = "\(root)/example.test/bob/Maildir"
        _ = try writer.deliver(bytes("\n"), from: sender, to: try target(bob))  // layout first
        var saved = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        let previousHandler = signal(SIGXFSZ, SIG_IGN)
        var small = saved
        small.rlim_cur = 4096
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &small), 0)
        let result = Result { try writer.deliver([UInt8](repeating: 0x61, count: 100_000), from: sender, to: try target(bob)) }
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        signal(SIGXFSZ, previousHandler)
        guard case .failure(let error) = result, case MailstoreError.io("write", let path, EFBIG) = error else {
            return XCTFail("\(result)")
        }
        XCTAssertTrue(path.hasPrefix("\(maildir)/tmp/"))
        XCTAssertEqual((error as? MailstoreError)?.enhancedStatusCode, "5.3.4")
        XCTAssertEqual(try names(in: "\(maildir)/tmp"), [])
        XCTAssertEqual(try names(in: "\(maildir)/new").count, 1, "only the earlier message")
    }

    func testErrnoClassification() {
        func code(_ errno: Int32) -> String { MailstoreError.io(operation: "write", path: "/x", errno: errno).enhancedStatusCode }
        XCTAssertEqual(code(ENOSPC), "4.3.1")
        XCTAssertEqual(code(EDQUOT), "4.2.2")
        XCTAssertEqual(code(EIO), "4.3.0")
        XCTAssertTrue(MailstoreError.io(operation: "fsync", path: "/x", errno: EIO).isTemporary)
        XCTAssertEqual(MailstoreError.io(operation: "fsync", path: "/m/new/x", errno: EIO).description,
                       "fsync /m/new/x: Input/output error (errno 5)")
    }

    func testSeveralTargetsAreIndependent() throws {
        let carol = EmailAddress(parsing: "carol@example.test")!
        // carol's user directory path is blocked by a file: her copy fails, the others land.
        try FileManager.default.createDirectory(atPath: "\(root)/example.test", withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: "\(root)/example.test/carol", contents: Data()))
        let message = bytes("Subject: all\n\nhello\n")
        let results = writer.deliver(message, from: sender, to: [
            try target(bob), try target(carol), try target(bob, folder: .junk),
        ])
        XCTAssertEqual(results.count, 3)
        guard case .success(let inbox) = results[0], case .failure(let failure) = results[1],
              case .success(let junk) = results[2] else { return XCTFail("\(results)") }
        guard case .io(_, _, ENOTDIR) = failure else { return XCTFail("\(failure)") }
        XCTAssertNotEqual(inbox.name, junk.name)
        let expected = bytes("Return-Path: <alice@sender.test>\nDelivered-To: bob@example.test\n") + message
        XCTAssertEqual(try contents(inbox.path), expected)
        XCTAssertEqual(try contents(junk.path), expected)
    }

    /// Several mailboxes share one LF conversion; each copy must still be what a single
    /// delivery stores. CR CR LF is the hostile case: converting twice would turn it into LF.
    func testEveryTargetGetsTheSingleDeliveryBytesOfACRLFMessage() throws {
        let message = bytes("Subject: crlf\r\n\r\nline\r\r\nlone\rcr\r\n")
        let single = try writer.deliver(message, from: sender, to: target(bob))
        let results = writer.deliver(message, from: sender, to: [try target(bob), try target(bob, folder: .junk)])
        guard case .success(let inbox) = results[0], case .success(let junk) = results[1] else { return XCTFail("\(results)") }
        let expected = bytes("Return-Path: <alice@sender.test>\nDelivered-To: bob@example.test\nSubject: crlf\n\nline\r\nlone\rcr\n")
        XCTAssertEqual(try contents(single.path), expected)
        XCTAssertEqual(try contents(inbox.path), expected)
        XCTAssertEqual(try contents(junk.path), expected)
    }

    func testConcurrentDeliveriesGetDistinctNames() async throws {
        let writer = self.writer
        let sender = self.sender
        let target = try self.target(bob)
        let names = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<1000 {
                group.addTask { try writer.deliver(Array("Subject: \(index)\n\n".utf8), from: sender, to: target).name.text }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        XCTAssertEqual(Set(names).count, 1000)
        let stored = try self.names(in: "\(root)/example.test/bob/Maildir/new")
        XCTAssertEqual(Set(stored), Set(names))
        XCTAssertEqual(try self.names(in: "\(root)/example.test/bob/Maildir/tmp"), [])
    }

    func testPythonMailboxReadsWhatWeWrote() throws {
        let inboxMessage = bytes("Subject: for python\r\nX-Id: 1\r\n\r\nbody\r\n")
        let junkMessage = bytes("Subject: junk\n\nspam\n")
        let inbox = try writer.deliver(inboxMessage, from: sender, to: try target(bob))
        _ = try writer.deliver(junkMessage, from: sender, to: try target(bob, folder: .junk))
        let script = """
            import mailbox, sys, json
            box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
            junk = box.get_folder('Junk')
            print(json.dumps({
                'keys': list(box.keys()),
                'inbox': [box.get_bytes(k).hex() for k in box.keys()],
                'subject': [box.get_message(k)['Subject'] for k in box.keys()],
                'folders': box.list_folders(),
                'junk': [junk.get_bytes(k).hex() for k in junk.keys()],
            }))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, "\(root)/example.test/bob/Maildir"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(report["keys"] as? [String], [inbox.name.text])
        XCTAssertEqual(report["inbox"] as? [String], [hex(try contents(inbox.path))])
        XCTAssertEqual(report["subject"] as? [String], ["for python"])
        XCTAssertEqual(report["folders"] as? [String], ["Junk"])
        let header = bytes("Return-Path: <alice@sender.test>\nDelivered-To: bob@example.test\n")
        XCTAssertEqual(report["junk"] as? [String], [hex(header + junkMessage)])
    }

    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
