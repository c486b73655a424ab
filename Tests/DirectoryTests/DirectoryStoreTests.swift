import Directory
import Foundation
import XCTest

final class DirectoryStoreTests: DirectoryTestCase {
    func testOpensWithMigrationsWALAndPrivateFile() throws {
        XCTAssertEqual(try store.appliedMigrations(),
                       ["v1: domain, mailbox, alias", "v2: per-mailbox IMAP and POP3 access"])
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.path + "-wal"))
        // Under the test runner's umask (typically 022) the journal files were 0644: SQLite
        // gives them the main file's mode at the moment it creates them.
        try store.addDomain("example.com")
        for suffix in ["-wal", "-shm"] {
            let journal = try FileManager.default.attributesOfItem(atPath: store.path + suffix)
            XCTAssertEqual((journal[.posixPermissions] as? NSNumber)?.intValue, 0o600, suffix)
        }
        // Reopening an existing file applies nothing twice.
        let again = try DirectoryStore(path: store.path)
        XCTAssertEqual(try again.appliedMigrations().count, 2)
    }

    func testDomainsAreLowercaseAndUnique() throws {
        try store.addDomain("Example.COM")
        try store.addDomain("backup.example", backupMX: true)
        assertThrows(.domainExists("example.com")) { try store.addDomain("example.com.") }
        assertThrows(.invalidDomain("not a domain")) { try store.addDomain("not a domain") }
        assertThrows(.invalidDomain("[127.0.0.1]")) { try store.addDomain("[127.0.0.1]") }
        let domains = try store.domains()
        XCTAssertEqual(domains.map(\.name), ["backup.example", "example.com"])
        XCTAssertEqual(domains.map(\.backupMX), [true, false])
        XCTAssertTrue(try store.isLocalDomain("EXAMPLE.com"))
        XCTAssertFalse(try store.isLocalDomain("backup.example"))
        XCTAssertTrue(try store.isBackupMX("backup.example"))
        XCTAssertFalse(try store.isLocalDomain("other.example"))
    }

    /// The notices' default domain: active, not a backup MX, the earliest created.
    func testFirstLocalDomainIsTheEarliestActiveLocalOne() throws {
        XCTAssertNil(try store.firstLocalDomain())
        // Added first, so either would win if it were not skipped.
        try store.addDomain("a-inactive.example")
        try store.setDomainActive("a-inactive.example", false)
        try store.addDomain("b-backup.example", backupMX: true)
        XCTAssertNil(try store.firstLocalDomain())
        Thread.sleep(forTimeInterval: 0.01)
        try store.addDomain("z-first.example")
        Thread.sleep(forTimeInterval: 0.01)
        try store.addDomain("c-second.example")
        XCTAssertEqual(try store.firstLocalDomain()?.name, "z-first.example")
    }

    func testDeletingANonEmptyDomainNeedsForce() throws {
        try store.addDomain("example.com")
        try store.addMailbox("alice@example.com", password: Array("pw".utf8))
        try store.addAlias("info@example.com", targets: ["alice@example.com"])
        assertThrows(.domainNotEmpty("example.com", mailboxes: 1, aliases: 1)) { try store.deleteDomain("example.com") }
        try store.deleteDomain("example.com", force: true)
        XCTAssertEqual(try store.domains(), [])
        XCTAssertEqual(try store.mailboxes(), [])
        XCTAssertEqual(try store.aliases(), [])
        assertThrows(.unknownDomain("example.com")) { try store.deleteDomain("example.com") }
    }

    func testMailboxNeedsADeliveryDomain() throws {
        assertThrows(.unknownDomain("example.com")) { try store.addMailbox("a@example.com", password: [0x61]) }
        try store.addDomain("backup.example", backupMX: true)
        assertThrows(.backupMXDomain("backup.example")) { try store.addMailbox("a@backup.example", password: [0x61]) }
        try store.addDomain("example.com")
        let added = try store.addMailbox("Alice@Example.com", password: [0x61], quotaBytes: 1 << 30)
        XCTAssertEqual(added.address, "alice@example.com")
        XCTAssertEqual(added.maildir(mailRoot: "/m"), "/m/example.com/alice/Maildir")
        assertThrows(.mailboxExists("alice@example.com")) { try store.addMailbox("ALICE@example.com", password: [0x61]) }
        assertThrows(.invalidAddress("a/b@example.com", reason: "a mailbox name must not contain '/'")) {
            try store.addMailbox("a/b@example.com", password: [0x61])
        }
        assertThrows(.invalidQuota("-1")) { try store.addMailbox("b@example.com", password: [0x61], quotaBytes: -1) }
        assertThrows(.invalidPassword(reason: "empty")) { try store.addMailbox("b@example.com", password: []) }
        XCTAssertEqual(try store.mailboxes(domain: "EXAMPLE.COM").map(\.quotaBytes), [1 << 30])
    }

    func testDeletingAMailboxTakesItsOwnAliasesOnly() throws {
        try store.addDomain("example.com")
        try store.addMailbox("alice@example.com", password: [0x61])
        try store.addAlias("alice@example.com", targets: ["alice@example.com", "alice@elsewhere.example"])
        try store.addAlias("info@example.com", targets: ["alice@example.com"])
        try store.deleteMailbox("alice@example.com")
        XCTAssertEqual(try store.aliases().map(\.address), ["info@example.com"])
        assertThrows(.unknownMailbox("alice@example.com")) { try store.deleteMailbox("alice@example.com") }
    }

    func testAliasRowsOnePerTarget() throws {
        try store.addDomain("example.com")
        try store.addAlias("Team@example.com", targets: ["a@example.com", "B@Other.example", "a@example.com"])
        try store.addAlias("@example.com", targets: ["catch@example.com"])
        assertThrows(.aliasExists(address: "team@example.com", target: "a@example.com")) {
            try store.addAlias("team@example.com", targets: ["c@example.com", "a@example.com"])
        }
        // All or nothing: c was not added by the refused call.
        XCTAssertEqual(try store.aliases().map(\.target), ["catch@example.com", "a@example.com", "b@other.example"])
        assertThrows(.unknownDomain("nowhere.example")) { try store.addAlias("x@nowhere.example", targets: ["a@example.com"]) }
        XCTAssertEqual(try store.deleteAlias("team@example.com", target: "b@other.example"), 1)
        assertThrows(.unknownAlias(address: "team@example.com", target: "b@other.example")) {
            try store.deleteAlias("team@example.com", target: "b@other.example")
        }
        XCTAssertEqual(try store.deleteAlias("@EXAMPLE.com"), 1)
        XCTAssertEqual(try store.aliases(domain: "example.com").map(\.address), ["team@example.com"])
    }

    func testPasswordsSetAndVerify() throws {
        try store.addDomain("example.com")
        let box = try store.addMailbox("alice@example.com", password: Array("old secret".utf8))
        XCTAssertTrue(box.passwordHash.hasPrefix("{SHA512-CRYPT}$6$"))
        XCTAssertTrue(try store.verifyPassword("ALICE@example.com", password: Array("old secret".utf8)))
        try store.setPassword("alice@example.com", password: Array("new".utf8))
        XCTAssertFalse(try store.verifyPassword("alice@example.com", password: Array("old secret".utf8)))
        XCTAssertTrue(try store.verifyPassword("alice@example.com", password: Array("new".utf8)))
        try store.setMailboxActive("alice@example.com", false)
        XCTAssertFalse(try store.verifyPassword("alice@example.com", password: Array("new".utf8)))
        XCTAssertFalse(try store.verifyPassword("nobody@example.com", password: Array("new".utf8)))
        assertThrows(.unknownMailbox("bob@example.com")) { try store.setPassword("bob@example.com", password: [0x61]) }
    }

    /// A login checks the password, the mailbox and its domain being active, and the
    /// service; every failure looks the same to the caller.
    func testLoginPerService() throws {
        try store.addDomain("example.com")
        try store.addMailbox("alice@example.com", password: Array("secret".utf8))
        let secret = Array("secret".utf8)
        XCTAssertEqual(try store.login("Alice@Example.com", password: secret, service: .imap)?.address, "alice@example.com")
        XCTAssertEqual(try store.mailbox("alice@example.com")?.services, [.imap, .pop3])
        try store.setAccess("alice@example.com", service: .pop3, allowed: false)
        XCTAssertNil(try store.login("alice@example.com", password: secret, service: .pop3))
        XCTAssertNotNil(try store.login("alice@example.com", password: secret, service: .imap))
        XCTAssertEqual(try store.mailbox("alice@example.com")?.services, [.imap])
        XCTAssertTrue(try store.verifyPassword("alice@example.com", password: secret))
        XCTAssertNil(try store.login("alice@example.com", password: Array("wrong".utf8), service: .imap))
        XCTAssertNil(try store.login("not an address", password: secret, service: .imap))
        try store.setDomainActive("example.com", false)
        XCTAssertNil(try store.login("alice@example.com", password: secret, service: .imap))
        assertThrows(.unknownMailbox("bob@example.com")) { try store.setAccess("bob@example.com", service: .imap, allowed: true) }
    }
}
