import Foundation
import MoatCore
import XCTest
@testable import Mailstore

/// A user's Maildir in a temporary directory, with helpers to act as other Maildir
/// writers and readers (Postfix dropping into new/, mutt renaming flags).
class IndexTestCase: MaildirTestCase {
    var maildir: String { "\(root)/example.test/bob/Maildir" }
    var mailboxes: UserMailboxes { UserMailboxes(maildir: maildir) }

    /// Delivers one message as Moat's MaildirWriter does (into new/).
    @discardableResult
    func deliver(_ subject: String, folder: MaildirFolder = .inbox) throws -> DeliveredMessage {
        try writer.deliver(bytes("Subject: \(subject)\r\n\r\nbody of \(subject)\r\n"), from: sender,
                           to: target(bob, folder: folder))
    }

    /// Drops a file into new/ under `name`, as another writer (Postfix virtual) would.
    func drop(_ name: String, _ text: String, in directory: String? = nil) throws {
        let path = "\(directory ?? maildir)/new/\(name)"
        try FileManager.default.createDirectory(atPath: "\(directory ?? maildir)/new", withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    func curNames(_ directory: String? = nil) throws -> [String] { try names(in: "\(directory ?? maildir)/cur") }

    /// The cur/ file whose name carries `U=<uid>`.
    func curFile(uid: MessageUID, in directory: String? = nil) throws -> String {
        let all = try curNames(directory)
        let match = all.filter { $0.contains(",U=\(uid):") }
        XCTAssertEqual(match.count, 1, "one file for UID \(uid) in \(all)")
        return match.first ?? ""
    }

    func rename(_ from: String, _ to: String) throws {
        XCTAssertEqual(Glibc.rename(from, to), 0, "rename \(from) → \(to)")
    }
}
