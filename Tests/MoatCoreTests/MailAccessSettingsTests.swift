import MoatCore
import XCTest

/// `[auth]` and `[pop3]`: their checks with file:line, and Dovecot's UIDL templates.
final class MailAccessSettingsTests: XCTestCase {
    private func issues(_ text: String) -> [String] {
        do {
            _ = try MoatConfig.parse(text, file: "t.toml")
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    func testProblemsAreNamedWithTheirLine() {
        let found = issues("""
            [auth]
            secured_networks = ["0.0.0.0/0"]
            penalty_max = "1s"
            [pop3]
            enabled = true
            listen = "nowhere"
            idle_timeout = "1m"
            uidl_format = "%v"
            """)
        XCTAssertEqual(found.count, 5, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("t.toml:2:") && $0.contains("secured_networks") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("t.toml:3:") && $0.contains("penalty_max") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("t.toml:6:") && $0.contains("listen") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("t.toml:7:") && $0.contains("10 minutes") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("t.toml:8:") && $0.contains("%u or %f") }, "\(found)")
        XCTAssertEqual(issues("[pop3]\nenabled = true\nlisten = \"\"\n").count, 1, "enabled with no listener")
        XCTAssertEqual(issues("[pop3]\nuidl_format = \"%08Xq\"\n").count, 1)
    }

    /// `[imap] quarantine_folder`: a plain top-level name that no default mailbox has; "" hides it.
    func testTheQuarantineFolderNeedsAPlainNameOfItsOwn() throws {
        XCTAssertEqual(try MoatConfig.parse("", file: "t.toml").imap.quarantineFolder, "Quarantine")
        XCTAssertEqual(issues("[imap]\nquarantine_folder = \"\"\n"), [])
        XCTAssertEqual(issues("[imap]\nquarantine_folder = \"Spam hold-2\"\n"), [])
        for bad in ["junk", "INBOX", "Held.Spam", "Held/Spam", " Held", "Q&A"] {
            let found = issues("[imap]\nquarantine_folder = \"\(bad)\"\n")
            XCTAssertEqual(found.count, 1, "\(bad): \(found)")
            XCTAssertTrue(found.first?.hasPrefix("t.toml:2:") == true && found.first?.contains("quarantine_folder") == true, "\(found)")
        }
    }

    /// Dovecot's default `%08Xu%08Xv`: UID then UIDVALIDITY, 8 hex digits each.
    func testUIDLFormats() {
        XCTAssertEqual(UIDLFormat("%08Xu%08Xv").uidl(uid: 26, uidValidity: 0x5f3a_1b2c, baseName: "b"), "0000001a5f3a1b2c")
        XCTAssertEqual(UIDLFormat("%u.%v").uidl(uid: 26, uidValidity: 7, baseName: "b"), "26.7")
        XCTAssertEqual(UIDLFormat("%f").uidl(uid: 1, uidValidity: 1, baseName: "1700000000.M1P2.host"), "1700000000.M1P2.host")
        XCTAssertEqual(UIDLFormat("u%%%u").uidl(uid: 3, uidValidity: 1, baseName: ""), "u%3")
        XCTAssertNil(UIDLFormat.problem("%08Xu%08Xv"))
        XCTAssertNil(UIDLFormat.problem("%f"))
    }
}
