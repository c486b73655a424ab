import Directory
import Foundation
import XCTest

/// A real directory database in a fresh temporary directory per test.
class DirectoryTestCase: XCTestCase {
    var root = ""
    var store: DirectoryStore!

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "moat-directory-\(UUID().uuidString)"
        store = try DirectoryStore(path: root + "/var/directory.sqlite")
    }

    override func tearDownWithError() throws {
        store = nil
        try? FileManager.default.removeItem(atPath: root)
    }

    func resolver(delimiter: String = "+") -> RecipientResolver {
        RecipientResolver(store: store, mailRoot: root + "/mail", recipientDelimiter: delimiter)
    }

    func mailbox(_ address: String, extensionPart: String? = nil, quota: Int64 = 0) -> ResolvedRecipient {
        let parts = address.split(separator: "@")
        return .mailbox(LocalDelivery(address: address, extensionPart: extensionPart,
                                      maildir: "\(root)/mail/\(parts[1])/\(parts[0])/Maildir", quotaBytes: quota))
    }

    func unknown(_ address: String) -> ResolvedRecipient {
        .rejected(RecipientRejection(address: address, reason: .unknownUser))
    }

    func expansionError(_ address: String) -> ResolvedRecipient {
        .rejected(RecipientRejection(address: address, reason: .aliasExpansion))
    }

    /// Asserts `body` throws exactly `expected`.
    func assertThrows<T>(_ expected: DirectoryError, _ body: () throws -> T, line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            XCTAssertEqual(error as? DirectoryError, expected, line: line)
        }
    }
}
