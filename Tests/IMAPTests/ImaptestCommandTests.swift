import Foundation
import XCTest
@testable import IMAP

/// Every client command of imaptest's scripted tests (Fixtures/imaptest-commands.json, made
/// by Fixtures/extract_imaptest_commands.py from dovecot/imaptest release-2.3, MIT) parses,
/// except in the groups that need an extension this codec does not parse, and except the
/// commands the scripts expect a BAD for, each listed here with what the codec does.
final class ImaptestCommandTests: XCTestCase {
    private struct Script: Decodable {
        struct Command: Decodable {
            let line: Int
            let expect: String?
            let command: String
            let text: String
        }

        let script: String
        let capabilities: [String]
        let commands: [Command]
    }

    /// Extensions whose commands the codec does not parse: their groups are skipped.
    private static let unparsedCapabilities: [String: String] = [
        "CATENATE": "RFC 4469 CATENATE is not parsed (APPEND with CATENATE is a syntax error)",
        "URLAUTH": "RFC 4467 URLAUTH (GENURLAUTH, URLFETCH, RESETKEY) is not parsed",
        "URLAUTH=BINARY": "RFC 5524 is not parsed",
        "NOTIFY": "RFC 5465 NOTIFY is not parsed",
        "CONTEXT=SEARCH": "RFC 5267 CONTEXT (CANCELUPDATE, UPDATE) and RFC 9394 PARTIAL are not parsed",
        "CONTEXT=SORT": "RFC 5267 CONTEXT and RFC 9394 PARTIAL are not parsed",
    ]

    /// Commands the scripts expect BAD for: true when the codec already refuses them (a
    /// syntax error), false when the syntax is fine and the server must refuse the meaning.
    private static let expectedBad: [String: Bool] = [
        #"t1 list (imaptest) "" """#: true,  // unknown selection option (RFC 5258 §3)
        #"t1 list (recursivematch) "" """#: false,  // RECURSIVEMATCH alone: the server's BAD
        #"t1 list (recursivematch remote) "" """#: false,
        #"t1 list "" "" return (imaptest)"#: true,  // unknown return option
    ]

    private func scripts() throws -> [Script] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/imaptest-commands.json")
        return try JSONDecoder().decode([Script].self, from: Data(contentsOf: url))
    }

    func testEveryScriptCommandParses() throws {
        var parsed = 0
        var skipped: [String] = []
        for script in try scripts() {
            if let reason = script.capabilities.compactMap({ Self.unparsedCapabilities[$0] }).first {
                skipped.append("\(script.script): \(reason)")
                continue
            }
            for command in script.commands {
                let input = try XCTUnwrap(Data(base64Encoded: command.command))
                let events = ParserDriver.commandEvents([UInt8](input))
                let where_ = "\(script.script):\(command.line) \(command.text.debugDescription)"
                for chunking in [Chunking.byteAtATime, .random(seed: UInt64(command.line))] {
                    XCTAssertEqual(ParserDriver.commandEvents([UInt8](input), chunking: chunking), events, "\(where_), \(chunking)")
                }
                let isCommand: Bool
                switch (events.first, events.last) {
                case (.command?, _): isCommand = events.count == 1
                case (.appendStarted?, .appendFinished?): isCommand = !events.contains { if case .error = $0 { true } else { false } }
                default: isCommand = false
                }
                if command.expect == "bad" {
                    let refused = try XCTUnwrap(Self.expectedBad[command.text], "\(where_) expects BAD: list it")
                    XCTAssertEqual(isCommand, !refused, "\(where_): \(events)")
                } else {
                    XCTAssertTrue(isCommand, "\(where_): \(events)")
                }
                parsed += 1
            }
        }
        XCTAssertGreaterThan(parsed, 600)
        print("imaptest commands parsed: \(parsed); groups skipped:\n  " + skipped.joined(separator: "\n  "))
    }
}
