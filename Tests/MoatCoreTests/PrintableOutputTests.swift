import Logging
import MoatCore
import XCTest

/// Outside text in log lines (issue 9, defect 2): whatever a field holds, one record is
/// one line and no control sequence reaches the reader.
final class PrintableOutputTests: XCTestCase {
    private final class Capture: TextOutputStream, @unchecked Sendable {
        // @unchecked: the tests log from one thread.
        var text = ""
        func write(_ string: String) { text += string }
    }

    private func logger(_ capture: Capture) -> Logger {
        Logger(label: "moat") { label in
            PrintableLogHandler(StreamLogHandler(label: label, stream: capture, metadataProvider: nil))
        }
    }

    /// The forged record a CR LF would plant, and an ESC sequence that recolours the screen.
    private let hostile = "x.exe\r\n2026-12-07T00:00:00+0000 notice moat: Passed CLEAN\u{1B}[2J\u{1B}]0;pwned\u{07}"

    func testMessageMetadataAndErrorAreOneLineWithoutControls() {
        struct Failure: Error, CustomStringConvertible {
            var description: String { "remote said 550\r\nforged\u{1B}[31m" }
        }
        let capture = Capture()
        var log = logger(capture)
        log[metadataKey: "helo"] = "evil\nhost"
        log.notice("Blocked BANNED (\(hostile))",
                   metadata: ["subject": "\(hostile)", "names": .array([.string(hostile)]),
                              "nested": .dictionary(["k": .stringConvertible(hostile)])])
        log.error("relay failed", error: Failure())
        let lines = capture.text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 3, capture.text) // two records and the final newline
        XCTAssertFalse(capture.text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || $0.value == 0x7F },
                       capture.text)
        XCTAssertTrue(capture.text.contains("x.exe??2026-12-07T00:00:00+0000 notice moat: Passed CLEAN?[2J?]0;pwned?"))
        XCTAssertTrue(capture.text.contains("helo=evil?host"))
        XCTAssertTrue(capture.text.contains("remote said 550??forged?[31m"))
    }

    func testLevelAndMetadataPassThrough() {
        let capture = Capture()
        var log = logger(capture)
        log.logLevel = .warning
        log.info("not shown")
        log[metadataKey: "client"] = "192.0.2.1"
        XCTAssertEqual(log[metadataKey: "client"], "192.0.2.1")
        log.warning("shown")
        XCTAssertFalse(capture.text.contains("not shown"))
        XCTAssertTrue(capture.text.contains("client=192.0.2.1"))
    }

    func testPrintableReplacesControlsSeparatorsAndBidiOverrides() {
        XCTAssertEqual("a\u{0}b\u{1B}c\u{7F}d\u{85}e\u{9B}f".printable, "a?b?c?d?e?f")
        XCTAssertEqual("line\u{2028}sep\u{2029}".printable, "line?sep?")
        // "exe.pdf" read right to left: invoice\u{202E}fdp.exe shows as invoiceexe.pdf.
        XCTAssertEqual("invoice\u{202E}fdp.exe".printable, "invoice?fdp.exe")
        XCTAssertEqual("\u{2066}x\u{2069}".printable, "?x?")
        XCTAssertEqual("Grüße 👋 日本".printable, "Grüße 👋 日本")
    }
}
