import Foundation
import MoatCore
import XCTest
@testable import Mailstore

/// `[delivery] maildir_group` / `maildir_mode`: an IMAP server reading with another account
/// must find every directory and message with the configured group and modes, whatever
/// Moat's umask (077) made of them at creation.
final class MaildirPermissionsTests: MaildirTestCase {
    private func owner(_ path: String) throws -> (uid: UInt32, gid: UInt32) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return ((attributes[.ownerAccountID] as! NSNumber).uint32Value, (attributes[.groupOwnerAccountID] as! NSNumber).uint32Value)
    }

    func testGroupModeReachesEveryDirectoryAndTheMessageDespiteUmask077() throws {
        let old = umask(0o077)
        defer { umask(old) }
        // A group this process holds, so the chown is allowed without root.
        let group = getegid()
        let writer = MaildirWriter(hostname: "mx.test", permissions: FilePermissions(group: group, mode: 0o750))
        let junk = try MaildirFolder("Junk")
        let inbox = try writer.deliver(bytes("Subject: a\n\nx\n"), from: sender, to: try target(bob))
        let spam = try writer.deliver(bytes("Subject: b\n\nx\n"), from: sender, to: try target(bob, folder: junk))
        let maildir = "\(root)/example.test/bob/Maildir"
        let directories = ["\(root)/example.test", "\(root)/example.test/bob", maildir, "\(maildir)/new", "\(maildir)/cur",
                           "\(maildir)/tmp", "\(maildir)/.Junk", "\(maildir)/.Junk/new"]
        for directory in directories {
            XCTAssertEqual(try mode(directory), 0o750, directory)
            XCTAssertEqual(try owner(directory).gid, group, directory)
        }
        for file in [inbox.path, spam.path, "\(maildir)/.Junk/maildirfolder"] {
            XCTAssertEqual(try mode(file), 0o640, "no execute bits on files: \(file)")
            XCTAssertEqual(try owner(file).gid, group, file)
        }
    }

    func testWithoutPermissionsTheDefaultsStayPrivate() throws {
        let delivered = try MaildirWriter(hostname: "mx.test").deliver(bytes("\n"), from: sender, to: try target(bob))
        XCTAssertEqual(try mode(delivered.path), 0o600)
        XCTAssertEqual(try mode("\(root)/example.test/bob/Maildir"), 0o700)
    }

    func testAGroupTheProcessDoesNotHoldFailsTheDeliveryAndLeavesNoMessage() throws {
        guard geteuid() != 0 else { throw XCTSkip("root may give files to any group") }
        let foreign = gid_t(65_000)  // hostile config: a group moat is not in
        let writer = MaildirWriter(hostname: "mx.test", permissions: FilePermissions(group: foreign, mode: 0o750))
        XCTAssertThrowsError(try writer.deliver(bytes("\n"), from: sender, to: try target(bob)))
        XCTAssertEqual(try names(in: "\(root)/example.test/bob/Maildir/new"), [])
    }
}
