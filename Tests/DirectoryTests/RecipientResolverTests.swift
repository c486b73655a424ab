import Directory
import XCTest

final class RecipientResolverTests: DirectoryTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try store.addDomain("example.com")
        try store.addMailbox("alice@example.com", password: [0x61], quotaBytes: 2048)
        try store.addMailbox("bob@example.com", password: [0x62])
    }

    func testMailboxWithExtensionAndCase() throws {
        XCTAssertEqual(try resolver().resolve("Alice@EXAMPLE.com"), [mailbox("alice@example.com", quota: 2048)])
        XCTAssertEqual(try resolver().resolve("alice+news@example.com"),
                       [mailbox("alice@example.com", extensionPart: "news", quota: 2048)])
        XCTAssertEqual(try resolver(delimiter: "").resolve("alice+news@example.com"), [unknown("alice+news@example.com")])
        XCTAssertEqual(try resolver(delimiter: "+-").resolve("alice-news@example.com"),
                       [mailbox("alice@example.com", extensionPart: "news", quota: 2048)])
        // Postfix never splits off an empty local part.
        XCTAssertEqual(try resolver().resolve("+news@example.com"), [unknown("+news@example.com")])
    }

    func testUnknownUserGetsPostfixReply() throws {
        let result = try resolver().resolve("carol@example.com")
        XCTAssertEqual(result, [unknown("carol@example.com")])
        guard case .rejected(let rejection) = result.first else { return XCTFail() }
        XCTAssertEqual(rejection.description,
                       "550 5.1.1 <carol@example.com>: Recipient address rejected: User unknown in virtual mailbox table")
    }

    func testRemoteAndBackupMX() throws {
        try store.addDomain("backup.example", backupMX: true)
        XCTAssertEqual(try resolver().resolve("x@backup.example"), [.remote("x@backup.example")])
        XCTAssertEqual(try resolver().resolve("x@elsewhere.example"), [.remote("x@elsewhere.example")])
    }

    func testMultiTargetAliasAcrossDomainsDeduplicated() throws {
        try store.addAlias("team@example.com", targets: ["alice@example.com", "bob@example.com", "x@other.example"])
        try store.addAlias("all@example.com", targets: ["team@example.com", "alice@example.com"])
        XCTAssertEqual(try resolver().resolve("all@example.com"),
                       [mailbox("alice@example.com", quota: 2048), mailbox("bob@example.com"), .remote("x@other.example")])
    }

    func testAliasOverridesMailboxUnlessItNamesItself() throws {
        try store.addAlias("bob@example.com", targets: ["alice@example.com"])
        XCTAssertEqual(try resolver().resolve("bob@example.com"), [mailbox("alice@example.com", quota: 2048)])
        try store.addAlias("alice@example.com", targets: ["alice@example.com", "copy@other.example"])
        XCTAssertEqual(try resolver().resolve("alice@example.com"),
                       [mailbox("alice@example.com", quota: 2048), .remote("copy@other.example")])
    }

    func testExtensionPropagatesThroughStrippedAlias() throws {
        try store.addAlias("info@example.com", targets: ["bob@example.com", "ext@other.example"])
        XCTAssertEqual(try resolver().resolve("info+sales@example.com"),
                       [mailbox("bob@example.com", extensionPart: "sales"), .remote("ext+sales@other.example")])
        // An exact alias for the full address wins over the stripped one.
        try store.addAlias("info+sales@example.com", targets: ["alice@example.com"])
        XCTAssertEqual(try resolver().resolve("info+sales@example.com"), [mailbox("alice@example.com", quota: 2048)])
    }

    func testCatchAllOnlyForAddressesWithoutMailboxOrAlias() throws {
        try store.addAlias("@example.com", targets: ["bob@example.com"])
        XCTAssertEqual(try resolver().resolve("whoever@example.com"), [mailbox("bob@example.com")])
        XCTAssertEqual(try resolver().resolve("alice@example.com"), [mailbox("alice@example.com", quota: 2048)])
        XCTAssertEqual(try resolver().resolve("alice+x@example.com"),
                       [mailbox("alice@example.com", extensionPart: "x", quota: 2048)])
    }

    func testLoopsAndLimits() throws {
        try store.addAlias("a@example.com", targets: ["b@example.com"])
        try store.addAlias("b@example.com", targets: ["c@example.com"])
        try store.addAlias("c@example.com", targets: ["a@example.com"])
        XCTAssertEqual(try resolver().resolve("a@example.com"), [expansionError("a@example.com")])
        XCTAssertEqual(try resolver().resolve("c+x@example.com"), [expansionError("c+x@example.com")])
        // A diamond is not a loop.
        try store.addAlias("d@example.com", targets: ["e@example.com", "f@example.com"])
        try store.addAlias("e@example.com", targets: ["bob@example.com"])
        try store.addAlias("f@example.com", targets: ["bob@example.com"])
        XCTAssertEqual(try resolver().resolve("d@example.com"), [mailbox("bob@example.com")])
        let shallow = RecipientResolver(store: store, mailRoot: root + "/mail", recursionLimit: 1)
        XCTAssertEqual(try shallow.resolve("d@example.com"), [expansionError("d@example.com")])
        let narrow = RecipientResolver(store: store, mailRoot: root + "/mail", expansionLimit: 1)
        XCTAssertEqual(try narrow.resolve("d@example.com"), [expansionError("d@example.com")])
    }

    func testInactiveRowsCountAsAbsent() throws {
        try store.addAlias("info@example.com", targets: ["bob@example.com"])
        try store.addAlias("@example.com", targets: ["alice@example.com"])
        try store.setAliasActive("info@example.com", false)
        XCTAssertEqual(try resolver().resolve("info@example.com"), [mailbox("alice@example.com", quota: 2048)])
        try store.setAliasActive("@example.com", false)
        try store.setMailboxActive("bob@example.com", false)
        XCTAssertEqual(try resolver().resolve("bob@example.com"), [unknown("bob@example.com")])
        XCTAssertEqual(try resolver().resolve("info@example.com"), [unknown("info@example.com")])
        try store.setDomainActive("example.com", false)
        XCTAssertFalse(try store.isLocalDomain("example.com"))
        XCTAssertEqual(try resolver().resolve("alice@example.com"), [.remote("alice@example.com")])
    }

    func testInvalidAddressThrows() {
        assertThrows(.invalidAddress("no-at-sign", reason: "not local@domain")) { try resolver().resolve("no-at-sign") }
    }
}
