import Foundation
import MoatCore
import MoatTestSupport
import XCTest
@testable import Mailstore

final class IndexDovecotImportTests: IndexTestCase {
    func testUIDListAndKeywordsFromHandWrittenFixture() throws {
        let fm = FileManager.default
        for sub in ["cur", "new", "tmp"] { try fm.createDirectory(atPath: "\(maildir)/\(sub)", withIntermediateDirectories: true) }
        // Written by hand from maildir-uidlist.c's v3 format: extension fields before ":".
        let uidlist = """
            3 V1234567890 N43 G0b1a2c3d4e5f60718293a4b5c6d7e8f9
            7 S5 W7 :1699000000.M1P1.mail,S=5,W=7
            41 GE1 :1699000001.M2P1.mail

            """
        try Data(uidlist.utf8).write(to: URL(fileURLWithPath: "\(maildir)/dovecot-uidlist"))
        try Data("0 $Forwarded\n3 Important\n".utf8).write(to: URL(fileURLWithPath: "\(maildir)/dovecot-keywords"))
        try Data("a\nb\n".utf8).write(to: URL(fileURLWithPath: "\(maildir)/cur/1699000000.M1P1.mail,S=5,W=7:2,RSa"))
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: "\(maildir)/cur/1699000001.M2P1.mail:2,Fd"))
        try drop("1699000002.M3P1.mail", "new\n")

        let box = try mailboxes.open("INBOX")
        XCTAssertEqual(box.openOutcome, .importedFromDovecot(count: 2))
        let snapshot = box.snapshot
        XCTAssertEqual(snapshot.uidValidity, 1_234_567_890)
        XCTAssertEqual(snapshot.messages.map(\.uid), [7, 41, 43], "the new message gets N, Dovecot's next UID")
        XCTAssertEqual(snapshot.messages[0].flags, [.answered, .seen])
        XCTAssertEqual(snapshot.messages[0].keywords, ["$Forwarded"])
        XCTAssertEqual(snapshot.messages[1].flags, [.flagged])
        XCTAssertEqual(snapshot.messages[1].keywords, ["Important"])
        XCTAssertEqual(snapshot.messages[1].size, 3)
        XCTAssertEqual(snapshot.uidNext, 44)
        // Imported names are left alone (Dovecot can still read them); a rebuild finds
        // their UIDs in dovecot-uidlist again.
        XCTAssertTrue(try curNames().contains("1699000001.M2P1.mail:2,Fd"))
        try fm.removeItem(atPath: "\(maildir)/moat-index.sqlite")
        let rebuilt = try mailboxes.open("INBOX")
        XCTAssertEqual(rebuilt.snapshot.messages.map(\.uid), [7, 41, 43])
        XCTAssertEqual(rebuilt.snapshot.uidValidity, 1_234_567_890)
    }

    /// Dovecot's LDA leaves a message in `new/` with its UID in `dovecot-uidlist`. Moving it
    /// to `cur/` used to add `U=` to its base: Dovecot, given the Maildir back (or running
    /// beside Moat), no longer found that base in its list and gave the message a new UID,
    /// so its clients downloaded it again. Whether Moat's first look is read-only
    /// (EXAMINE, STATUS) or not, the base stays; mail that came after Dovecot gets `U=`.
    func testDovecotsFilesLeavingNewKeepTheirBase() throws {
        for readOnlyFirst in [true, false] {
            try? FileManager.default.removeItem(atPath: maildir)
            for sub in ["cur", "new", "tmp"] {
                try FileManager.default.createDirectory(atPath: "\(maildir)/\(sub)", withIntermediateDirectories: true)
            }
            try Data("3 V1700000000 N10\n9 :1700000009.M1P2.vm,S=4,W=5\n".utf8)
                .write(to: URL(fileURLWithPath: "\(maildir)/dovecot-uidlist"))
            try drop("1700000009.M1P2.vm,S=4,W=5", "one\n")
            try drop("1700000010.M1P3.mx", "two\n")  // delivered after Dovecot
            if readOnlyFirst {
                XCTAssertEqual(try mailboxes.open("INBOX", readOnly: true).snapshot.messages.map(\.uid), [9, 10])
                XCTAssertEqual(try names(in: "\(maildir)/new").count, 2, "a read-only look moves nothing")
            }
            XCTAssertEqual(try mailboxes.open("INBOX").snapshot.messages.map(\.uid), [9, 10])
            XCTAssertEqual(try curNames().sorted(), ["1700000009.M1P2.vm,S=4,W=5:2,", "1700000010.M1P3.mx,U=10:2,"],
                           "read-only first: \(readOnlyFirst)")
            try FileManager.default.removeItem(atPath: "\(maildir)/moat-index.sqlite")
            XCTAssertEqual(try mailboxes.open("INBOX").snapshot.messages.map(\.uid), [9, 10], "a rebuild agrees")
        }
    }

    func testBrokenUIDListLinesEndTheImportButKeepEarlierOnes() {
        let list = DovecotUIDList(text: "3 V9 N20\n5 :a\n4 :b\n9 :c\n")
        XCTAssertEqual(list?.uids, ["a": 5], "UIDs must ascend: the list stops at the first that does not")
        XCTAssertNil(DovecotUIDList(text: "3 V0 N20\n"), "UIDVALIDITY 0 is no header")
        XCTAssertNil(DovecotUIDList(text: "garbage\n"))
        XCTAssertEqual(DovecotUIDList(text: "1 77 9\n3 x:2,S\n")?.uids, ["x": 3])
    }

    /// A Maildir written by the real Dovecot (`doveadm save` and `doveadm flags`), read by
    /// the store: same UIDVALIDITY, UIDs, flags and keywords as `doveadm fetch` reports.
    func testMaildirWrittenByRealDoveadm() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/doveadm") else {
            throw XCTSkip("doveadm is not installed (Debian: dovecot-core)")
        }
        let config = try PrivateDovecotConfig.write(root: root, maildir: maildir)
        func doveadm(_ arguments: [String], input: String? = nil) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/doveadm")
            process.arguments = ["-c", config] + arguments
            // No -u: doveadm then skips the userdb and uses USER, HOME and mail_location.
            process.environment = ["HOME": root, "USER": "moat-test", "PATH": "/usr/bin:/bin"]
            let output = Pipe()
            let errors = Pipe()
            let stdin = Pipe()
            process.standardOutput = output
            process.standardError = errors
            process.standardInput = stdin
            try process.run()
            if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
            try stdin.fileHandleForWriting.close()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "doveadm \(arguments.joined(separator: " ")): \(problems)")
            return text
        }
        for subject in ["one", "two", "three"] {
            _ = try doveadm(["save"], input: "Subject: \(subject)\n\nbody \(subject)\n")
        }
        _ = try doveadm(["flags", "add", "\\Seen $Label1", "mailbox", "INBOX", "uid", "2"])
        _ = try doveadm(["expunge", "mailbox", "INBOX", "uid", "1"])
        _ = try doveadm(["save"], input: "Subject: four\n\nbody four\n")
        _ = try doveadm(["flags", "add", "\\Flagged", "mailbox", "INBOX", "uid", "4"])
        let fetched = try doveadm(["-f", "flow", "fetch", "uid flags mailbox-guid", "mailbox", "INBOX", "all"])
        let status = try doveadm(["-f", "flow", "mailbox", "status", "uidvalidity uidnext", "INBOX"])
        var expected: [(MessageUID, String)] = []
        for line in fetched.split(separator: "\n") {
            let fields = line.components(separatedBy: " flags=")
            guard let uid = fields.first.flatMap({ MessageUID($0.replacingOccurrences(of: "uid=", with: "")) }) else { continue }
            expected.append((uid, fields.count > 1 ? fields[1].components(separatedBy: " mailbox-guid")[0] : ""))
        }
        XCTAssertEqual(expected.map(\.0), [2, 3, 4], "doveadm fetch said: \(fetched)")

        let box = try mailboxes.open("INBOX")
        XCTAssertEqual(box.openOutcome, .importedFromDovecot(count: 3))
        XCTAssertTrue(status.contains("uidvalidity=\(box.snapshot.uidValidity)"), "doveadm: \(status)")
        XCTAssertTrue(status.contains("uidnext=\(box.snapshot.uidNext)"), "doveadm: \(status)")
        XCTAssertEqual(box.snapshot.messages.map(\.uid), expected.map(\.0))
        for (message, (_, flags)) in zip(box.snapshot.messages, expected) {
            let names = Set(message.flags.imapNames + message.keywords)
            let theirs = Set(flags.split(separator: " ").map(String.init).filter { $0 != "\\Recent" })
            XCTAssertEqual(names, theirs, "UID \(message.uid)")
        }
    }
}
