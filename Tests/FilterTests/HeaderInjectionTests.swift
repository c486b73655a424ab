import Notices
import XCTest

/// Outside text in the header fields Moat writes (issue 9): a member name holding CR LF
/// cannot end `X-Amavis-Alert` and start a header field of its own.
final class HeaderInjectionTests: XCTestCase {
    func testATokenWithCRLFStaysInsideItsField() {
        let note = "Heuristics.Encrypted.Zip, report.zip | x\r\nBcc: victim@example.com\r\n\u{1B}[2J.exe"
        let field = HeaderFolding.fold(name: "X-Amavis-Alert", tokens: ["UNCHECKED,"] + note.split(separator: " ").map(String.init))
        let lines = field.components(separatedBy: "\r\n").dropLast()
        XCTAssertTrue(lines.first?.hasPrefix("X-Amavis-Alert: UNCHECKED,") ?? false, field)
        for line in lines.dropFirst() { XCTAssertTrue(line.hasPrefix(" "), "a continuation line, not a field: \(line)") }
        XCTAssertFalse(field.unicodeScalars.contains { $0.value < 0x20 && $0 != "\r" && $0 != "\n" }, field)
        XCTAssertTrue(field.contains("x??Bcc:"), field)
    }

    func testFoldOfAValueKeepsItsWordsAndDropsControls() {
        XCTAssertEqual(HeaderFolding.fold(name: "Diagnostic-Code", value: "smtp; 550 5.1.1 \u{0}user\u{7F} unknown"),
                       "Diagnostic-Code: smtp; 550 5.1.1 ?user? unknown\r\n")
    }
}
