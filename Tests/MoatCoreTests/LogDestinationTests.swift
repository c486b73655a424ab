import Foundation
import Logging
import XCTest
@testable import MoatCore

/// `[log]` and `[quarantine]` retention keys, the syslog line format and the log file's
/// reopen, without a running server.
final class LogDestinationTests: XCTestCase {
    func testDestinationSpellings() throws {
        XCTAssertEqual(try MoatConfig.parse("", file: "t").log.destination, .standardError)
        XCTAssertEqual(try MoatConfig.parse("", file: "t").log.facility, .mail)
        let cases: [(String, LogDestination)] = [
            ("stderr", .standardError),
            ("syslog", .syslog(socket: "/dev/log")),
            ("syslog:/run/test/log", .syslog(socket: "/run/test/log")),
            ("/var/log/moat/moat.log", .file(path: "/var/log/moat/moat.log")),
            ("moat.log", .file(path: "moat.log")),
        ]
        for (text, expected) in cases {
            let config = try MoatConfig.parse("[log]\ndestination = \"\(text)\"\nfacility = \"local3\"\n", file: "t")
            XCTAssertEqual(config.log.destination, expected, text)
            XCTAssertEqual(config.log.destination.description, text)
            XCTAssertEqual(config.log.facility, .local3)
        }
    }

    func testUnusableDestinationsAreConfigErrors() {
        for text in ["", "syslog:"] {
            XCTAssertThrowsError(try MoatConfig.parse("[log]\n\ndestination = \"\(text)\"\n", file: "m.toml")) { error in
                let issue = (error as? ConfigError)?.issues.first
                XCTAssertEqual(issue?.line, 3, text)
                XCTAssertTrue(issue?.message.contains("[log] destination") == true, "\(String(describing: issue))")
            }
        }
        XCTAssertThrowsError(try MoatConfig.parse("[log]\nfacility = \"kern\"\n", file: "m.toml"))
    }

    func testQuarantineRetentionKeys() throws {
        let defaults = try MoatConfig.parse("", file: "t").quarantine
        XCTAssertEqual(defaults.maxAge, .seconds(30 * 86_400))
        XCTAssertEqual(defaults.purgeInterval, .seconds(86_400))
        let forever = try MoatConfig.parse("[quarantine]\nmax_age = \"0\"\n", file: "t").quarantine
        XCTAssertNil(forever.maxAge)
        let short = try MoatConfig.parse("[quarantine]\nmax_age = \"12h\"\npurge_interval = \"1s\"\n", file: "t").quarantine
        XCTAssertEqual(short.maxAge, .seconds(12 * 3600))
        XCTAssertEqual(short.purgeInterval, .seconds(1))
        XCTAssertThrowsError(try MoatConfig.parse("[quarantine]\npurge_interval = \"0\"\n", file: "t"))
        XCTAssertThrowsError(try MoatConfig.parse("[quarantine]\nmax_age = \"forever\"\n", file: "t"))
    }

    func testSyslogLineIsGlibcShaped() {
        setenv("TZ", "UTC", 1)
        tzset()
        // 2026-12-07 05:09:03 UTC: a one-digit day is padded with a space, as glibc's %e.
        let time = time_t(1_796_620_143)
        let line = SyslogLine(facility: .mail, level: .notice, ident: "moat", pid: 4242, text: "listening on x")
        XCTAssertEqual(line.rendered(at: time), "<21>Dec  7 05:09:03 moat[4242]: listening on x")
        let levels: [(Logger.Level, Int)] = [(.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4),
                                             (.error, 3), (.critical, 2)]
        for (level, severity) in levels {
            XCTAssertEqual(SyslogLine.severity(of: level), severity, "\(level)")
        }
        let local = SyslogLine(facility: .local7, level: .error, ident: "moat", pid: 1, text: "x")
        XCTAssertTrue(local.rendered(at: time).hasPrefix("<187>"))  // 23 * 8 + 3
    }

    func testLogFileReopenFollowsTheNameAfterARename() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("logfile-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/moat.log"
        let file = try LogFile(path: path)
        // As LogOutput uses it: the stream of a StreamLogHandler behind PrintableLogHandler.
        let logger = Logger(label: "moat", factory: { label in
            PrintableLogHandler(StreamLogHandler(label: label, stream: file, metadataProvider: nil))
        })
        func record(_ message: String) {
            logger.info("\(message)", metadata: ["k": "v"], source: "Test")
        }
        record("before")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        record("between")  // still the renamed file: nothing lost
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        try file.reopen()
        record("after")
        let old = try String(contentsOfFile: path + ".1", encoding: .utf8)
        let new = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(old.contains("info moat: k=v [Test] before\n") && old.contains("[Test] between\n"), old)
        XCTAssertTrue(new.hasSuffix("info moat: k=v [Test] after\n") && !new.contains("before"), new)
        XCTAssertThrowsError(try LogFile(path: directory + "/missing/moat.log")) { error in
            XCTAssertEqual("\(error)", "open \(directory)/missing/moat.log: No such file or directory (errno 2)")
        }
    }
}
