import Foundation
import XCTest
@testable import MoatCore

final class MoatConfigTests: XCTestCase {
    private func issues(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [ConfigIssue] {
        do {
            _ = try MoatConfig.parse(text, file: "moat.toml")
            XCTFail("expected configuration issues", file: file, line: line)
            return []
        } catch {
            return error.issues
        }
    }

    func testEmptyTextGivesDefaults() throws {
        let c = try MoatConfig.parse("", file: "empty.toml")
        XCTAssertEqual(c.filter.listen, "127.0.0.1:10024")
        XCTAssertEqual(c.filter.reinject, "127.0.0.1:10025")
        XCTAssertEqual(c.filter.localDomains, ["."])
        XCTAssertEqual(c.filter.xHeaderLine, "Moat at \(c.filter.hostname)")
        XCTAssertFalse(c.filter.hostname.isEmpty)
        XCTAssertEqual(c.filter.maxMessageSize, 100 << 20)
        XCTAssertEqual(c.filter.maxRecipients, 1000)
        XCTAssertEqual(c.filter.maxConnections, 64)
        XCTAssertEqual(c.filter.idleTimeout, .seconds(480))
        XCTAssertEqual(c.filter.policyBank, "RelayedInbound")
        XCTAssertEqual(c.spam.tagLevel, 2.0)
        XCTAssertEqual(c.spam.tag2Level, 6.31)
        XCTAssertEqual(c.spam.killLevel, 6.31)
        XCTAssertEqual(c.spam.subjectTag, "***SPAM*** ")
        XCTAssertEqual(c.spam.destiny, .pass)
        XCTAssertTrue(c.spam.quarantine)
        XCTAssertEqual(c.virus.destiny, .discard)
        XCTAssertEqual(c.virus.engine, .libclamav)
        XCTAssertEqual(c.virus.databases, ["/var/lib/clamav", "Rules/clamav"])
        XCTAssertEqual(c.virus.maxScanTime, .seconds(120))
        XCTAssertEqual(c.banned.destiny, .bounce)
        XCTAssertEqual(c.banned.filenames, [#"(?i)\.(exe|scr|pif|bat|cmd|com|vbs|js)$"#])
        XCTAssertEqual(c.quarantine.directory, "Quarantine")
        XCTAssertEqual(c.quarantine.index, "var/quarantine.sqlite")
        XCTAssertNil(c.notify.admin)
        XCTAssertEqual(c.notify.from, "postmaster@localhost")
        XCTAssertEqual(c.log.level, .info)
    }

    func testValuesAreRead() throws {
        let c = try MoatConfig.parse("""
            [filter]
            listen = "lmtp:[::1]:0"
            reinject = "smtp:mx.example.org:25"
            local_domains = [".example.com", "example.org"]
            hostname = "gw.example.com"
            max_message_size = "50M"
            idle_timeout = "5m"
            max_recipients = 10
            [spam]
            tag_level = -9999
            tag2_level = 5
            kill_level = 10.5
            destiny = "Reject"
            quarantine = false
            [virus]
            destiny = "bounce"
            engine = "clamd"
            max_scan_size = 1024
            max_scan_time = 30
            [banned]
            destiny = "pass"
            filenames = []
            [notify]
            admin = ""
            [log]
            level = "debug"
            """, file: "x.toml")
        XCTAssertEqual(c.filter.listen, "lmtp:[::1]:0")
        XCTAssertEqual(c.filter.reinject, "smtp:mx.example.org:25")
        XCTAssertEqual(c.filter.localDomains, [".example.com", "example.org"])
        XCTAssertEqual(c.filter.hostname, "gw.example.com")
        XCTAssertEqual(c.filter.xHeaderLine, "Moat at gw.example.com")
        XCTAssertEqual(c.filter.maxMessageSize, 50 << 20)
        XCTAssertEqual(c.filter.idleTimeout, .seconds(300))
        XCTAssertEqual(c.filter.maxRecipients, 10)
        XCTAssertEqual(c.spam.tagLevel, -9999)
        XCTAssertEqual(c.spam.tag2Level, 5)
        XCTAssertEqual(c.spam.killLevel, 10.5)
        XCTAssertEqual(c.spam.destiny, .reject)
        XCTAssertFalse(c.spam.quarantine)
        XCTAssertEqual(c.virus.destiny, .bounce)
        XCTAssertEqual(c.virus.engine, .clamd)
        XCTAssertEqual(c.virus.maxScanSize, 1024)
        XCTAssertEqual(c.virus.maxScanTime, .seconds(30))
        XCTAssertEqual(c.banned.destiny, .pass)
        XCTAssertEqual(c.banned.filenames, [])
        XCTAssertEqual(c.notify.admin, "")
        XCTAssertEqual(c.log.level, .debug)
    }

    func testEveryIssueIsCollectedWithFileAndLine() {
        let found = issues("""
            [filter]
            listen = "127.0.0.1"
            reinject = "127.0.0.1:99999"
            listn = "typo"
            max_recipients = "many"
            [spam]
            tag_level = 5.0
            tag2_level = 3.0
            destiny = "drop"
            [virus]
            destiny = "pass"
            [bogus]
            x = 1
            [notify]
            admin = "not an address"
            [log]
            level = 3
            """)
        XCTAssertEqual(found.map(\.description), [
            "moat.toml:2: [filter] listen: '127.0.0.1': expected host:port",
            "moat.toml:3: [filter] reinject: '127.0.0.1:99999': invalid port",
            "moat.toml:4: [filter] unknown key 'listn'",
            "moat.toml:5: [filter] max_recipients: expected an integer, found string",
            "moat.toml:8: [spam] tag2_level: must not be below tag_level (5.0)",
            "moat.toml:9: [spam] destiny: expected one of pass | discard | bounce | reject",
            "moat.toml:11: [virus] destiny: pass would deliver viruses; use discard, bounce or reject",
            "moat.toml:12: unknown section [bogus]",
            "moat.toml:15: [notify] admin: 'not an address' is not an email address",
            "moat.toml:17: [log] level: expected one of trace | debug | info | notice | warning | error | critical",
        ])
        let error = ConfigError(issues: found)
        XCTAssertEqual(error.description.split(separator: "\n").count, found.count)
    }

    func testWrongTypes() {
        let found = issues("""
            [filter]
            local_domains = "example.com"
            max_message_size = true
            idle_timeout = "forever"
            [spam]
            tag_level = "high"
            quarantine = "yes"
            [virus]
            databases = ["a", 1]
            max_recursion = 1000
            """)
        XCTAssertEqual(found.map(\.line), [2, 3, 4, 6, 7, 9, 10])
        XCTAssertEqual(found.map(\.message), [
            "[filter] local_domains: expected an array of strings, found string",
            "[filter] max_message_size: expected a size like \"50M\", found boolean",
            "[filter] idle_timeout: invalid duration 'forever' (use e.g. \"30s\", \"5m\", \"2h\", \"7d\")",
            "[spam] tag_level: expected a number, found string",
            "[spam] quarantine: expected true or false, found string",
            "[virus] databases: expected an array of strings, found an element of type integer",
            "[virus] max_recursion: 1000 is out of range 1...100",
        ])
    }

    func testTag2BelowTagWithoutTag2KeyPointsAtSectionHeader() {
        let found = issues("\n\n[spam]\ntag_level = 10\n")
        XCTAssertEqual(found.map(\.line), [3])
        XCTAssertEqual(found.first?.message, "[spam] tag2_level: must not be below tag_level (10.0)")
    }

    func testSectionMustBeATable() {
        let found = issues("filter = 1\nstray = \"x\"\n")
        XCTAssertEqual(found.map(\.description), [
            "moat.toml:1: 'filter' must be a [section]",
            "moat.toml:2: unknown section [stray]",
        ])
    }

    func testTOMLSyntaxErrorBecomesOneIssue() {
        let found = issues("[filter]\nlisten = \"x\"\nlisten = \"y\"\n")
        XCTAssertEqual(found, [ConfigIssue(file: "moat.toml", line: 3, message: "key 'listen' is defined twice")])
    }

    func testLoadReportsUnreadableFile() {
        XCTAssertThrowsError(try MoatConfig.load(path: "/nonexistent/moat-\(UUID().uuidString).toml")) { error in
            let issues = (error as? ConfigError)?.issues ?? []
            XCTAssertEqual(issues.count, 1)
            XCTAssertEqual(issues.first?.line, 0)
            XCTAssertEqual(issues.first?.message.hasPrefix("cannot read"), true)
        }
    }

    func testShippedConfigParsesWithoutIssue() throws {
        let path = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/moat.toml").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), path)
        let c: MoatConfig
        do {
            c = try MoatConfig.load(path: path)
        } catch {
            return XCTFail("shipped configuration has issues:\n\(error)")
        }
        let defaults = MoatConfig()
        XCTAssertEqual(c.filter.listen, defaults.filter.listen)
        XCTAssertEqual(c.filter.reinject, defaults.filter.reinject)
        XCTAssertEqual(c.spam.tag2Level, defaults.spam.tag2Level)
        XCTAssertEqual(c.virus.destiny, defaults.virus.destiny)
        XCTAssertEqual(c.banned.destiny, defaults.banned.destiny)
        XCTAssertEqual(c.banned.filenames, defaults.banned.filenames)
        // Its paths are relative to Config/ and name the repository's directories.
        let repository = URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent().path
        XCTAssertEqual(c.quarantine.directory, repository + "/Quarantine")
        XCTAssertEqual(c.storage.dataDir, repository + "/var")
        XCTAssertEqual(c.spam.rules, [repository + "/Rules", repository + "/Rules/scores"])
        XCTAssertEqual(c.queue, defaults.queue, "moat.toml documents the [queue] defaults")
        XCTAssertEqual(c.auth, defaults.auth, "moat.toml documents the [auth] defaults")
        var pop3 = c.pop3
        pop3.listener.tls = defaults.pop3.listener.tls
        XCTAssertEqual(pop3, defaults.pop3, "moat.toml documents the [pop3] defaults")
        XCTAssertEqual(c.pop3.listener.tls.certificate, repository + "/var/tls/cert.pem")
        var imap = c.imap
        imap.listener.tls = defaults.imap.listener.tls
        XCTAssertEqual(imap, defaults.imap, "moat.toml documents the [imap] defaults")
    }

    func testQueueSection() throws {
        let defaults = QueueSettings()
        XCTAssertEqual(defaults.maxQueueLifetime, .seconds(5 * 86_400))
        XCTAssertEqual(defaults.minimalBackoffTime, .seconds(300))
        XCTAssertEqual(defaults.maximalBackoffTime, .seconds(4000))
        XCTAssertEqual(defaults.queueRunDelay, .seconds(300))
        XCTAssertEqual(defaults.maxConcurrentDeliveries, 20)
        let c = try MoatConfig.parse("""
            [queue]
            max_queue_lifetime = "2d"
            minimal_backoff_time = "1m"
            maximal_backoff_time = "1h"
            queue_run_delay = 30
            max_concurrent_deliveries = 5
            """, file: "moat.toml")
        XCTAssertEqual(c.queue.maxQueueLifetime, .seconds(2 * 86_400))
        XCTAssertEqual(c.queue.minimalBackoffTime, .seconds(60))
        XCTAssertEqual(c.queue.maximalBackoffTime, .seconds(3600))
        XCTAssertEqual(c.queue.queueRunDelay, .seconds(30))
        XCTAssertEqual(c.queue.maxConcurrentDeliveries, 5)
        XCTAssertEqual(issues("""
            [queue]
            minimal_backoff_time = "10m"
            maximal_backoff_time = "5m"
            max_concurent_deliveries = 3
            max_concurrent_deliveries = 0
            """).map(\.description), [
            "moat.toml:3: [queue] maximal_backoff_time: must not be below minimal_backoff_time",
            "moat.toml:4: [queue] unknown key 'max_concurent_deliveries'",
            "moat.toml:5: [queue] max_concurrent_deliveries: 0 is out of range 1...10000",
        ])
    }

    func testDeliverySection() throws {
        XCTAssertEqual(DeliverySettings(), try MoatConfig.parse("", file: "moat.toml").delivery)
        let c = try MoatConfig.parse("""
            [delivery]
            relayhost = "[smtp.example.net]:587"
            smtp_port = 2525
            tls_security_level = "none"
            recipient_delimiter = "-"
            junk_folder = "Spam"
            """, file: "moat.toml")
        XCTAssertEqual(c.delivery.relayhost, "[smtp.example.net]:587")
        XCTAssertEqual(c.delivery.smtpPort, 2525)
        XCTAssertEqual(c.delivery.tlsSecurityLevel, .none)
        XCTAssertEqual(c.delivery.recipientDelimiter, "-")
        XCTAssertEqual(c.delivery.junkFolder, "Spam")
        XCTAssertEqual(issues("""
            [delivery]
            relayhost = "[broken:25"
            recipient_delimiter = "++"
            junk_folder = "a/b"
            """).map(\.description), [
            "moat.toml:2: [delivery] relayhost: expected host, host:port or [host]:port, found '[broken:25'",
            "moat.toml:3: [delivery] recipient_delimiter: must be one character or empty",
            "moat.toml:4: [delivery] junk_folder: must be a folder name without '/'",
        ])
    }

    func testMXSection() throws {
        let defaults = try MoatConfig.parse("", file: "moat.toml").mx
        XCTAssertTrue(defaults.enabled)
        XCTAssertEqual(defaults.listen, "127.0.0.1:2525")
        XCTAssertEqual(defaults.maxMessageSize, 10_240_000)
        XCTAssertEqual(defaults.restrictions.relay, ["permit_mynetworks", "permit_sasl_authenticated", "reject_unauth_destination"])
        XCTAssertEqual(defaults.restrictions.data, ["reject_unauth_pipelining"])
        XCTAssertEqual(defaults.greeting, "\(defaults.hostname) ESMTP", "the banner names no software")
        let c = try MoatConfig.parse("""
            [mx]
            hostname = "mx.example.com"
            banner = "$hostname ready"
            mynetworks = ["192.0.2.0/24", "2001:db8::/32"]
            filter_budget = "5s"
            [mx.tls]
            certificate = "/etc/moat/cert.pem"
            [mx.restrictions]
            client = ["reject_rbl_client zen.example"]
            relay = ["permit_mynetworks", "reject"]
            """, file: "moat.toml")
        XCTAssertEqual(c.mx.greeting, "mx.example.com ready")
        XCTAssertEqual(c.mx.filterBudget, .seconds(5))
        XCTAssertEqual(c.mx.tls.certificate, "/etc/moat/cert.pem")
        XCTAssertEqual(c.mx.tls.key, "var/tls/key.pem")
        XCTAssertEqual(c.mx.restrictions.client, ["reject_rbl_client zen.example"])
        XCTAssertEqual(issues("""
            [mx]
            mynetworks = ["192.0.2.0/33"]
            soft_error_limit = 30
            [mx.restrictions]
            relay = ["permit_mynetworks"]
            recpient = []
            """).map(\.description), [
            "moat.toml:2: [mx] mynetworks: \(problem(["192.0.2.0/33"]))",
            "moat.toml:3: [mx] soft_error_limit: must not exceed hard_error_limit (20)",
            "moat.toml:5: [mx.restrictions] relay: neither relay nor recipient contains reject_unauth_destination (or reject): that is an open relay",
            "moat.toml:6: [mx.restrictions] unknown key 'recpient'",
        ])
    }

    func testOpenRelayByConfigurationNamesFileAndLine() {
        XCTAssertEqual(issues("""
            [mx]
            mynetworks = ["0.0.0.0/1", "128.0.0.0/1"]
            [mx.restrictions]
            relay = ["permit_mynetworks", "reject_unauth_destination"]
            """).map(\.description), [
            "moat.toml:2: [mx] mynetworks: covers every public IPv4 address: every client could relay; list your own networks",
        ])
        XCTAssertEqual(issues("""
            [mx]
            mynetworks = ["::/0"]
            mynetworks_wide = true
            """).map(\.description),
            ["moat.toml:2: [mx] mynetworks: covers every public IPv6 address: every client could relay; list your own networks"],
            "consent does not cover everything")
        XCTAssertEqual(issues("""
            [mx]
            mynetworks = ["127.0.0.0/8", "198.50.0.0/15"]
            """).map(\.description), [
            "moat.toml:2: [mx] mynetworks: covers 131072 public IPv4 addresses (more than a /16), wider than a site's "
                + "own networks; set mynetworks_wide = true if every client there may relay",
        ])
        XCTAssertEqual(issues("""
            [mx.restrictions]
            relay = ["permit", "reject_unauth_destination"]
            """).map(\.description), [
            "moat.toml:2: [mx.restrictions] relay: entry 1 'permit' permits every client before any "
                + "reject_unauth_destination (or reject), and the recipient list does not refuse either: that is an open relay",
        ])
    }

    func testWideMynetworksWithConsent() throws {
        let c = try MoatConfig.parse("""
            [mx]
            mynetworks = ["198.50.0.0/15"]
            mynetworks_wide = true
            """, file: "moat.toml")
        XCTAssertTrue(c.mx.mynetworksWide)
        XCTAssertFalse(try MoatConfig.parse("", file: "moat.toml").mx.mynetworksWide)
    }

    private func problem(_ networks: [String]) -> String {
        do {
            _ = try NetworkSet(networks)
            return ""
        } catch {
            return "\(error)"
        }
    }

    func testRelayhostText() {
        XCTAssertEqual(RelayhostText("[192.0.2.1]:2525"), RelayhostText(host: "192.0.2.1", port: 2525, lookUpMX: false))
        XCTAssertEqual(RelayhostText("mail.example.net"), RelayhostText(host: "mail.example.net", port: 25, lookUpMX: true))
        XCTAssertEqual(RelayhostText("example.net:587"), RelayhostText(host: "example.net", port: 587, lookUpMX: true))
        XCTAssertEqual(RelayhostText("[ipv6:2001:db8::1]"), RelayhostText(host: "ipv6:2001:db8::1", port: 25, lookUpMX: false))
        for bad in ["", "[x", "host:0", "host:abc", "[]:25", "a b"] { XCTAssertNil(RelayhostText(bad), bad) }
    }

    func testEndpointText() throws {
        let plain = try EndpointText(parsing: "127.0.0.1:10024")
        XCTAssertEqual([plain.lmtp ? "lmtp" : "smtp", plain.host, "\(plain.port)"], ["smtp", "127.0.0.1", "10024"])
        let v6 = try EndpointText(parsing: "lmtp:[::1]:24")
        XCTAssertEqual([v6.lmtp ? "lmtp" : "smtp", v6.host, "\(v6.port)"], ["lmtp", "::1", "24"])
        let named = try EndpointText(parsing: "smtp:localhost:0")
        XCTAssertEqual([named.lmtp ? "lmtp" : "smtp", named.host, "\(named.port)"], ["smtp", "localhost", "0"])
        XCTAssertEqual(EndpointText.problem("lmtp:h:1", allowLMTP: false), "'lmtp:h:1': LMTP is not supported here")
        XCTAssertEqual(EndpointText.problem(":25", allowLMTP: true), "':25': missing host")
        XCTAssertEqual(EndpointText.problem("[::1:25", allowLMTP: true), "'[::1:25': missing ']'")
        XCTAssertEqual(EndpointText.problem("h:port", allowLMTP: true), "'h:port': invalid port")
        XCTAssertNil(EndpointText.problem("h:65535", allowLMTP: true))
    }
}

final class UnitTextTests: XCTestCase {
    func testDurationText() {
        XCTAssertEqual(DurationText.parse("30s"), .seconds(30))
        XCTAssertEqual(DurationText.parse("30"), .seconds(30))
        XCTAssertEqual(DurationText.parse("5m"), .seconds(300))
        XCTAssertEqual(DurationText.parse("2h"), .seconds(7200))
        XCTAssertEqual(DurationText.parse("7d"), .seconds(604_800))
        XCTAssertEqual(DurationText.parse("2w"), .seconds(1_209_600))
        XCTAssertEqual(DurationText.parse("500ms"), .milliseconds(500))
        XCTAssertEqual(DurationText.parse(" 10S "), .seconds(10))
        XCTAssertEqual(DurationText.parse("1D"), .seconds(86_400))
        for bad in ["", "s", "-5s", "1.5h", "10x", "5 m", "m5", "99999999999999999999s"] {
            XCTAssertNil(DurationText.parse(bad), bad)
        }
    }

    func testDurationSeconds() {
        XCTAssertEqual(Duration.seconds(3).seconds, 3)
        XCTAssertEqual(Duration.milliseconds(1500).seconds, 1.5, accuracy: 1e-12)
    }

    func testByteSizeText() {
        XCTAssertEqual(ByteSizeText.parse("0"), 0)
        XCTAssertEqual(ByteSizeText.parse("1234"), 1234)
        XCTAssertEqual(ByteSizeText.parse("12B"), 12)
        XCTAssertEqual(ByteSizeText.parse("512K"), 512 << 10)
        XCTAssertEqual(ByteSizeText.parse("512k"), 512 << 10)
        XCTAssertEqual(ByteSizeText.parse("50M"), 50 << 20)
        XCTAssertEqual(ByteSizeText.parse("50MB"), 50 << 20)
        XCTAssertEqual(ByteSizeText.parse("1GiB"), 1 << 30)
        XCTAssertEqual(ByteSizeText.parse(" 2g "), 2 << 30)
        for bad in ["", "M", "1.5M", "-1", "10T", "10 M", "99999999999999999999", "9000000000000G"] {
            XCTAssertNil(ByteSizeText.parse(bad), bad)
        }
    }
}
