import Foundation
import XCTest
@testable import MoatCore

/// `[limits]`: its defaults, as Config/moat.toml documents them, and its errors with file:line.
final class LimitsSettingsTests: XCTestCase {
    func testDefaultsTake50MessagesOfPostfixsSizeLimit() throws {
        let defaults = try MoatConfig.parse("", file: "moat.toml").limits
        XCTAssertEqual(defaults, LimitsSettings())
        XCTAssertEqual(defaults.messageMemory, 512 << 20)
        XCTAssertGreaterThan(defaults.messageMemory, 50 * (MXSettings().maxMessageSize + 1024))
        XCTAssertEqual(defaults.contentChecks, 0)
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Config/moat.toml").path
        XCTAssertEqual(try MoatConfig.load(path: shipped).limits, defaults, "moat.toml documents the [limits] defaults")
    }

    func testValuesAndMistakes() throws {
        let c = try MoatConfig.parse("""
            [limits]
            message_memory = "64M"
            content_checks = 4
            """, file: "moat.toml")
        XCTAssertEqual(c.limits, LimitsSettings(messageMemory: 64 << 20, contentChecks: 4))
        do {
            _ = try MoatConfig.parse("""
                [limits]
                message_memory = "lots"
                content_checks = -1
                """, file: "moat.toml")
            XCTFail("expected configuration issues")
        } catch {
            XCTAssertEqual(error.issues.map(\.description), [
                "moat.toml:2: [limits] message_memory: invalid size 'lots' (use e.g. \"50M\", \"512K\", \"1G\")",
                "moat.toml:3: [limits] content_checks: -1 is out of range 0...1000",
            ])
        }
    }
}

extension LimitsSettings {
    init(messageMemory: Int, contentChecks: Int) {
        self.init()
        self.messageMemory = messageMemory
        self.contentChecks = contentChecks
    }
}
