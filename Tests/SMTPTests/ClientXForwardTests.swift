import MoatCore
import XCTest
@testable import SMTP

final class ClientXForwardTests: XCTestCase {
    private let all: Set<String> = ["NAME", "ADDR", "PROTO", "HELO", "SOURCE"]

    func testXtext() {
        XCTAssertEqual(SMTPXForward.xtext("mail.example.org"), "mail.example.org")
        XCTAssertEqual(SMTPXForward.xtext("a b+c=d"), "a+20b+2Bc+3Dd")
        XCTAssertEqual(SMTPXForward.xtext("é"), "+C3+A9")
        XCTAssertEqual(SMTPXForward.xtext("[1.2.3.4]"), "[1.2.3.4]")
        XCTAssertEqual(SMTPXForward.xtext("x\r\n"), "x+0D+0A")
    }

    func testAllAttributesOneLineUnknownAsUnavailable() {
        let client = ClientIdentity(address: "192.0.2.1", hostname: nil, helo: "my helo", protocolName: "ESMTP", source: "REMOTE")
        XCTAssertEqual(SMTPXForward.commands(for: client, advertised: all),
                       ["XFORWARD NAME=[UNAVAILABLE] ADDR=192.0.2.1 PROTO=ESMTP HELO=my+20helo SOURCE=REMOTE"])
    }

    func testOnlyAdvertisedAttributes() {
        let client = ClientIdentity(address: "2001:db8::1", hostname: "h.example", helo: "h", protocolName: "SMTP", source: "LOCAL")
        XCTAssertEqual(SMTPXForward.commands(for: client, advertised: ["ADDR", "NAME", "PORT"]),
                       ["XFORWARD NAME=h.example ADDR=2001:db8::1"])
        XCTAssertEqual(SMTPXForward.commands(for: client, advertised: []), [])
    }

    func testSplitAt512Bytes() {
        let longHelo = String(repeating: "h", count: 250)
        let longName = String(repeating: "n", count: 250)
        let client = ClientIdentity(address: "192.0.2.1", hostname: longName, helo: longHelo, protocolName: "ESMTP", source: "REMOTE")
        let commands = SMTPXForward.commands(for: client, advertised: all)
        XCTAssertEqual(commands, [
            "XFORWARD NAME=\(longName) ADDR=192.0.2.1 PROTO=ESMTP",
            "XFORWARD HELO=\(longHelo) SOURCE=REMOTE",
        ])
        for command in commands { XCTAssertLessThanOrEqual(command.utf8.count + 2, 512) }
        // An HELO that only fits when alone after xtext expansion gets a line of its own.
        let spaced = String(repeating: " ", count: 160)  // 480 bytes as xtext
        let split = SMTPXForward.commands(for: ClientIdentity(address: "192.0.2.1", helo: spaced), advertised: all)
        XCTAssertEqual(split.count, 3)
        XCTAssertTrue(split[1].hasPrefix("XFORWARD HELO=+20+20"))
        for command in split { XCTAssertLessThanOrEqual(command.utf8.count + 2, 512) }
    }
}
