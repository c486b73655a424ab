import Foundation
import XCTest
@testable import MoatCore

/// Relative paths in a configuration file resolve against the file's directory, never the
/// working directory (issue 10, item 3).
final class ConfigPathTests: XCTestCase {
    func testResolveAgainstBase() {
        XCTAssertEqual(ConfigPath.resolve("var", against: "/etc/moat"), "/etc/moat/var")
        XCTAssertEqual(ConfigPath.resolve("../var/tls/cert.pem", against: "/srv/moat/Config"), "/srv/moat/var/tls/cert.pem")
        XCTAssertEqual(ConfigPath.resolve("./Rules/./clamav/", against: "/srv/moat"), "/srv/moat/Rules/clamav")
        XCTAssertEqual(ConfigPath.resolve("/var/lib/clamav", against: "/etc/moat"), "/var/lib/clamav")
        XCTAssertEqual(ConfigPath.resolve("//var//lib/../lib/clamav", against: "/etc/moat"), "/var/lib/clamav")
        // More ".." than components stops at the root, as the kernel does.
        XCTAssertEqual(ConfigPath.resolve("../../../../etc/passwd", against: "/etc/moat"), "/etc/passwd")
        XCTAssertEqual(ConfigPath.resolve("", against: "/etc/moat"), "", "empty stays empty for the 'must not be empty' checks")
    }

    func testDirectoryOfFile() {
        XCTAssertEqual(ConfigPath.directory(of: "Config/moat.toml", workingDirectory: "/src/moat"), "/src/moat/Config")
        XCTAssertEqual(ConfigPath.directory(of: "moat.toml", workingDirectory: "/tmp"), "/tmp")
        XCTAssertEqual(ConfigPath.directory(of: "/etc/moat/moat.toml", workingDirectory: "/tmp"), "/etc/moat")
        XCTAssertEqual(ConfigPath.directory(of: "/moat.toml", workingDirectory: "/tmp"), "/")
        XCTAssertEqual(ConfigPath.directory(of: "../x/./moat.toml", workingDirectory: "/a/b"), "/a/x")
    }

    static let everyPathKey = """
        [spam]
        rules = ["rules", "/usr/share/spamassassin"]
        cache_directory = "cache"
        [virus]
        databases = ["/var/lib/clamav", "sigs"]
        clamd_socket = "unix:run/clamd.ctl"
        [quarantine]
        directory = "q"
        index = "state/q.sqlite"
        [bayes]
        database = "../bayes.sqlite"
        [storage]
        data_dir = "data"
        [mx.tls]
        certificate = "tls/cert.pem"
        key = "/etc/ssl/private/key.pem"
        [mx.restrictions]
        client = ["check_client_access clients, permit_mynetworks"]
        sender = ["CHECK_SENDER_ACCESS", "maps/senders", "check_client_access /etc/postfix/access"]
        """

    func testEveryPathKeyResolvesAgainstBaseDirectory() throws {
        let c = try MoatConfig.parse(Self.everyPathKey, file: "/etc/moat/moat.toml", baseDirectory: "/etc/moat")
        XCTAssertEqual(c.spam.rules, ["/etc/moat/rules", "/usr/share/spamassassin"])
        XCTAssertEqual(c.spam.cacheDirectory, "/etc/moat/cache")
        XCTAssertEqual(c.virus.databases, ["/var/lib/clamav", "/etc/moat/sigs"])
        XCTAssertEqual(c.virus.clamdSocket, "unix:/etc/moat/run/clamd.ctl")
        XCTAssertEqual(c.quarantine.directory, "/etc/moat/q")
        XCTAssertEqual(c.quarantine.index, "/etc/moat/state/q.sqlite")
        XCTAssertEqual(c.bayes.database, "/etc/bayes.sqlite")
        XCTAssertEqual(c.storage.dataDir, "/etc/moat/data")
        XCTAssertEqual(c.storage.queueDirectory, "/etc/moat/data/queue")
        XCTAssertEqual(c.mx.tls.certificate, "/etc/moat/tls/cert.pem")
        XCTAssertEqual(c.mx.tls.key, "/etc/ssl/private/key.pem")
        // Entries keep their count (errors say "entry N"); only the table arguments change.
        XCTAssertEqual(c.mx.restrictions.client, ["check_client_access /etc/moat/clients permit_mynetworks"])
        XCTAssertEqual(c.mx.restrictions.sender,
                       ["CHECK_SENDER_ACCESS", "/etc/moat/maps/senders", "check_client_access /etc/postfix/access"])
        XCTAssertEqual(c.mx.restrictions.relay, MXSettings.Restrictions().relay, "lists without tables are untouched")
    }

    func testOriginListsEveryResolvedPathWithItsLine() throws {
        let c = try MoatConfig.parse(Self.everyPathKey, file: "/etc/moat/moat.toml", baseDirectory: "/etc/moat")
        let listed = c.origin.paths.map(\.description)
        for expected in [
            "[spam] rules = /etc/moat/rules", "[spam] rules = /usr/share/spamassassin", "[spam] cache_directory = /etc/moat/cache",
            "[virus] databases = /etc/moat/sigs", "[quarantine] directory = /etc/moat/q",
            "[quarantine] index = /etc/moat/state/q.sqlite", "[bayes] database = /etc/bayes.sqlite",
            "[storage] data_dir = /etc/moat/data", "[mx.tls] certificate = /etc/moat/tls/cert.pem",
            "[mx.restrictions] client = /etc/moat/clients", "[mx.restrictions] sender = /etc/moat/maps/senders",
        ] {
            XCTAssertTrue(listed.contains(expected), "\(expected) not in \(listed)")
        }
        XCTAssertEqual(c.origin.path("storage", "data_dir")?.line, 13)
        XCTAssertEqual(c.origin.path("mx.tls", "certificate")?.line, 15)
        XCTAssertEqual(c.origin.issue("storage", "data_dir", "x").description, "/etc/moat/moat.toml:13: [storage] data_dir: x")
    }

    func testDefaultsResolveAgainstTheFileToo() throws {
        let c = try MoatConfig.parse("[quarantine]\n", file: "/etc/moat/moat.toml", baseDirectory: "/etc/moat")
        XCTAssertEqual(c.storage.dataDir, "/etc/moat/var")
        XCTAssertEqual(c.quarantine.directory, "/etc/moat/Quarantine")
        XCTAssertEqual(c.virus.databases, ["/var/lib/clamav", "/etc/moat/Rules/clamav"])
        XCTAssertFalse(c.virus.testSignaturesOnly)
        // A default key is placed at its section header, or line 0 without one.
        XCTAssertEqual(c.origin.path("quarantine", "directory")?.line, 1)
        XCTAssertEqual(c.origin.path("storage", "data_dir")?.line, 0)
    }

    func testTextWithoutFileKeepsPathsAsWritten() throws {
        let c = try MoatConfig.parse("[storage]\ndata_dir = \"var\"\n", file: "t.toml")
        XCTAssertEqual(c.storage.dataDir, "var")
    }

    /// The same file gives the same paths whatever the working directory is.
    func testLoadResolvesAgainstTheFileNotTheWorkingDirectory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("moat-paths-\(UUID().uuidString)/etc")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let file = dir.appendingPathComponent("moat.toml").path
        try "[storage]\ndata_dir = \"../var\"\n[virus]\ntest_signatures_only = true\n".write(toFile: file, atomically: true, encoding: .utf8)
        let previous = FileManager.default.currentDirectoryPath
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        var seen: Set<String> = []
        for cwd in ["/", dir.path, "/tmp"] {
            XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(cwd))
            let c = try MoatConfig.load(path: file)
            seen.insert(c.storage.dataDir)
            XCTAssertTrue(c.virus.testSignaturesOnly)
        }
        XCTAssertEqual(seen, [dir.deletingLastPathComponent().appendingPathComponent("var").path])
        // Named relative to the working directory on the command line: still the file's directory.
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(dir.path))
        XCTAssertEqual(try MoatConfig.load(path: "moat.toml").storage.dataDir, seen.first)
    }

    func testAccessTableArgumentsOfRestrictionLists() {
        let resolve = { (entries: [String]) in RestrictionListText.resolvingAccessTables(entries) { "/base/" + $0 } }
        XCTAssertEqual(resolve(["check_client_access t"]), ["check_client_access /base/t"])
        XCTAssertEqual(resolve(["check_client_access,t,permit"]), ["check_client_access /base/t permit"])
        XCTAssertEqual(resolve(["check_sender_access", "t", "reject"]), ["check_sender_access", "/base/t", "reject"])
        XCTAssertEqual(resolve(["reject_rbl_client zen.example", "permit"]), ["reject_rbl_client zen.example", "permit"])
        // A missing argument stays missing: the parser reports it, nothing is invented.
        XCTAssertEqual(resolve(["check_client_access check_sender_access t"]),
                       ["check_client_access check_sender_access /base/t"])
        XCTAssertEqual(resolve(["check_client_access"]), ["check_client_access"])
        // Any restriction name there is the parser's missing argument, not a table path.
        XCTAssertEqual(resolve(["check_client_access permit_mynetworks"]), ["check_client_access permit_mynetworks"])
        XCTAssertEqual(resolve(["check_sender_access", "Reject_Unknown_Client", "t"]),
                       ["check_sender_access", "Reject_Unknown_Client", "t"])
    }
}
