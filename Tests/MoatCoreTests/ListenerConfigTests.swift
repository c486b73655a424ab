import XCTest
@testable import MoatCore

/// The listener keys of `[filter]` and `[mx]`: the filter's exposure check and the guards.
final class ListenerConfigTests: XCTestCase {
    private func issues(_ text: String) -> [String] {
        do {
            _ = try MoatConfig.parse(text, file: "moat.toml")
            return []
        } catch {
            return error.issues.map { "\($0.line): \($0.message)" }
        }
    }

    func testDefaults() throws {
        let c = try MoatConfig.parse("", file: "moat.toml")
        XCTAssertEqual(c.filter.allow, ["127.0.0.0/8", "::1"])
        XCTAssertEqual(c.filter.guards.clientConnectionRateLimit, 0, "the filter faces only Postfix")
        XCTAssertEqual(c.mx.guards.clientConnectionRateLimit, 60)
        for guards in [c.filter.guards, c.mx.guards] {
            XCTAssertEqual(guards.stressIdleTimeout, .seconds(10))
            XCTAssertEqual(guards.minDataRate, 500)
            XCTAssertEqual(guards.sessionTimeLimit, .seconds(3600))
            XCTAssertEqual(guards.anvilRateTimeUnit, .seconds(60))
        }
    }

    func testGuardKeysAreRead() throws {
        let c = try MoatConfig.parse("""
            [mx]
            stress_idle_timeout = "3s"
            min_data_rate = 100
            session_time_limit = "10m"
            client_connection_rate_limit = 5
            anvil_rate_time_unit = "30s"
            """, file: "moat.toml")
        XCTAssertEqual(c.mx.guards.stressIdleTimeout, .seconds(3))
        XCTAssertEqual(c.mx.guards.minDataRate, 100)
        XCTAssertEqual(c.mx.guards.sessionTimeLimit, .seconds(600))
        XCTAssertEqual(c.mx.guards.clientConnectionRateLimit, 5)
        XCTAssertEqual(c.mx.guards.anvilRateTimeUnit, .seconds(30))
    }

    /// The filed case: `listen = "0.0.0.0:10024"` passed `config check`.
    func testWildcardFilterListenWithoutExplicitAllowIsRefused() {
        for listen in ["0.0.0.0:10024", "[::]:10024", "192.0.2.10:10024", "lmtp:0.0.0.0:10024", "mail.example.com:10024"] {
            let found = issues("[filter]\nlisten = \"\(listen)\"\n")
            XCTAssertEqual(found.count, 1, "\(listen): \(found)")
            XCTAssertTrue(found.first?.hasPrefix("2: [filter] listen: '\(listen)' is reachable beyond loopback") == true,
                          "\(found)")
        }
    }

    func testLoopbackFilterListenNeedsNoAllow() {
        for listen in ["127.0.0.1:10024", "127.0.0.2:10024", "[::1]:10024", "localhost:10024"] {
            XCTAssertEqual(issues("[filter]\nlisten = \"\(listen)\"\n"), [], listen)
        }
    }

    func testExposedFilterListenWithExplicitAllowIsAccepted() {
        XCTAssertEqual(issues("[filter]\nlisten = \"0.0.0.0:10024\"\nallow = [\"10.1.2.0/24\", \"127.0.0.1\"]\n"), [])
    }

    func testAllowCoveringEveryoneIsRefusedOnAnExposedListener() {
        XCTAssertEqual(issues("[filter]\nlisten = \"0.0.0.0:10024\"\nallow = [\"10.0.0.0/8\", \"0.0.0.0/0\"]\n"),
                       ["3: [filter] allow: [10.0.0.0/8, 0.0.0.0/0] admits every public IPv4 address to a listener "
                        + "on '0.0.0.0:10024': name the networks of the hosts that hand mail to this filter"])
        XCTAssertEqual(issues("[filter]\nallow = [\"::/0\"]\nlisten = \"[::]:10024\"\n").count, 1)
        // Everyone in two halves, and more public space than a site owns.
        XCTAssertEqual(issues("[filter]\nlisten = \"0.0.0.0:10024\"\nallow = [\"0.0.0.0/1\", \"128.0.0.0/1\"]\n").count, 1)
        XCTAssertEqual(issues("[filter]\nlisten = \"0.0.0.0:10024\"\nallow = [\"198.18.0.0/15\"]\n").count, 1)
    }

    func testBadAllowEntryIsReported() {
        let found = issues("[filter]\nallow = [\"not-a-net\"]\n")
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found.first?.hasPrefix("2: [filter] allow: bad network \"not-a-net\"") == true, "\(found)")
    }
}
