import Foundation
import MoatCore
import XCTest
@testable import Mailstore

/// A real temporary directory holding Maildirs, removed after each test.
class MaildirTestCase: XCTestCase {
    var root = ""
    let writer = MaildirWriter(hostname: "mx.test")
    let sender = EmailAddress(parsing: "alice@sender.test")!
    let bob = EmailAddress(parsing: "bob@example.test")!

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "mailstore-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    func mailbox(_ address: EmailAddress) throws -> MaildirPath {
        try MaildirPath(root: root, address: address)
    }

    func target(_ address: EmailAddress, folder: MaildirFolder = .inbox, quota: QuotaLimit? = nil) throws
        -> DeliveryTarget {
        DeliveryTarget(mailbox: try mailbox(address), folder: folder, recipient: address, quota: quota)
    }

    func names(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    func contents(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Permission bits of `path` (no file-type bits).
    func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? Int ?? -1) & 0o777
    }

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}
