import Foundation
import XCTest
@testable import MoatCore

/// `[service]`, `[delivery] maildir_*` and the privilege decision made from them.
final class ServiceSettingsTests: XCTestCase {
    private let moat = ServiceAccount(user: "moat", uid: 998, group: "moat", gid: 997)

    func testDefaultsStayAsStartedAndRefuseRoot() throws {
        let config = try MoatConfig.parse("", file: "t.toml")
        XCTAssertEqual(config.service, ServiceSettings())
        XCTAssertFalse(config.service.allowRoot)
        XCTAssertThrowsError(try PrivilegePlan.decide(settings: config.service, currentUID: 0, target: nil)) { error in
            guard case ServiceError.rootRefused(let why) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("[service] user"), why)
        }
        XCTAssertEqual(try PrivilegePlan.decide(settings: config.service, currentUID: 1000, target: nil), .stay)
    }

    func testProductionConfigParsesAndServesAsMoat() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Config/moat.production.toml").path
        let config = try MoatConfig.load(path: path)
        XCTAssertEqual(config.service.user, "moat")
        XCTAssertEqual(config.service.group, "moat")
        XCTAssertFalse(config.service.allowRoot)
        XCTAssertEqual(config.storage.dataDir, "/var/lib/moat")
        XCTAssertEqual(config.virus.databases, ["/var/lib/clamav"], "production loads freshclam's databases only")
    }

    func testRootSwitchesToTheServiceUser() throws {
        let settings = try MoatConfig.parse("[service]\nuser = \"moat\"\n", file: "t.toml").service
        XCTAssertEqual(try PrivilegePlan.decide(settings: settings, currentUID: 0, target: moat), .switchTo(moat))
        // Already that user (e.g. started by `runuser -u moat`): nothing to switch.
        XCTAssertEqual(try PrivilegePlan.decide(settings: settings, currentUID: 998, target: moat), .stay)
    }

    func testAnotherUnprivilegedUserCannotSwitch() {
        let settings = ServiceSettings()
        XCTAssertThrowsError(try PrivilegePlan.decide(settings: settings, currentUID: 1000, target: moat)) { error in
            guard case ServiceError.cannotSwitch = error else { return XCTFail("\(error)") }
        }
    }

    func testAServiceUserThatIsRootNeedsAllowRoot() throws {
        let root = ServiceAccount(user: "toor", uid: 0, group: "root", gid: 0)
        XCTAssertThrowsError(try PrivilegePlan.decide(settings: ServiceSettings(), currentUID: 0, target: root))
        var settings = ServiceSettings()
        settings.allowRoot = true
        XCTAssertEqual(try PrivilegePlan.decide(settings: settings, currentUID: 0, target: root), .stay)
        XCTAssertEqual(try PrivilegePlan.decide(settings: settings, currentUID: 0, target: nil), .stay)
    }

    func testBadNamesAndModesAreRefusedWithTheirLine() {
        let text = """
            [service]
            user = "moat; rm -rf /"
            group = "-x"
            [delivery]
            maildir_mode = "0777"
            maildir_group = "a b"
            """
        XCTAssertThrowsError(try MoatConfig.parse(text, file: "t.toml")) { error in
            let issues = (error as! ConfigError).issues
            XCTAssertEqual(issues.map(\.line), [2, 3, 5, 6], "\(issues)")
        }
        for bad in ["0600", "0702", "777", "1777", "0o750", "rwx", ""] {
            XCTAssertNil(MaildirModeText.parse(bad), bad)
        }
        XCTAssertEqual(MaildirModeText.parse("0750"), 0o750)
        XCTAssertEqual(MaildirModeText.parse("770"), 0o770)
    }

    func testGroupWithoutUserIsRefused() {
        XCTAssertThrowsError(try MoatConfig.parse("[service]\ngroup = \"moat\"\n", file: "t.toml"))
    }

    func testMaildirSettingsParse() throws {
        let config = try MoatConfig.parse("[delivery]\nmaildir_group = \"vmail\"\nmaildir_mode = \"0770\"\n", file: "t.toml")
        XCTAssertEqual(config.delivery.maildirGroup, "vmail")
        XCTAssertEqual(config.delivery.maildirMode, 0o770)
        XCTAssertEqual(config.delivery.maildirOwner, "")
    }

    func testAccountGroupsPutThePrimaryFirstWithoutRepeats() {
        var account = moat
        account.supplementaryGroups = [997, 120, 120]
        XCTAssertEqual(account.groups, [997, 120])
    }

    func testResolveFindsRootAndRefusesUnknownNames() throws {
        XCTAssertEqual(try ServiceAccount.resolve(user: "root", group: "").uid, 0)
        XCTAssertThrowsError(try ServiceAccount.resolve(user: "no-such-user-moat-test", group: "")) { error in
            XCTAssertEqual(error as? ServiceError, .unknownUser("no-such-user-moat-test"))
        }
        XCTAssertThrowsError(try ServiceAccount.resolve(user: "root", group: "no-such-group-moat-test"))
    }

    /// The installer's directories belong to the account; what start-up created inside them
    /// as root is handed over; a root-owned directory outside them (a `data_dir = "/var"`
    /// typo) is never touched.
    func testStateOwnershipAdoptsOnlyInsideDirectoriesTheAccountOwns() throws {
        guard geteuid() == 0 else { throw XCTSkip("chown needs root") }
        let base = NSTemporaryDirectory() + "state-\(UUID().uuidString)"
        let fm = FileManager.default
        try fm.createDirectory(atPath: "\(base)/ours/queue/active", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: "\(base)/system", withIntermediateDirectories: true)
        XCTAssertTrue(fm.createFile(atPath: "\(base)/ours/directory.sqlite", contents: Data()))
        XCTAssertTrue(fm.createFile(atPath: "\(base)/system/file", contents: Data()))
        defer { try? fm.removeItem(atPath: base) }
        // Hostile: a hard link to a root file where a journal would be made.
        XCTAssertEqual(link("\(base)/system/file", "\(base)/ours/directory.sqlite-wal"), 0)
        let account = ServiceAccount(user: "nobody", uid: 65_534, group: "nogroup", gid: 65_534)
        XCTAssertEqual(chown("\(base)/ours", account.uid, account.gid), 0)
        let changed = try StateOwnership.adopt(["\(base)/ours", "\(base)/ours/queue", "\(base)/ours/directory.sqlite",
                                                "\(base)/ours/directory.sqlite-wal", "\(base)/system", "\(base)/system/file", "\(base)/missing"], for: account)
        XCTAssertEqual(Set(changed), ["\(base)/ours/queue", "\(base)/ours/queue/active", "\(base)/ours/directory.sqlite"])
        func uid(_ path: String) throws -> Int { (try fm.attributesOfItem(atPath: path)[.ownerAccountID] as! NSNumber).intValue }
        XCTAssertEqual(try uid("\(base)/ours/queue/active"), 65_534)
        XCTAssertEqual(try uid("\(base)/system"), 0)
        XCTAssertEqual(try uid("\(base)/system/file"), 0)
    }
}
