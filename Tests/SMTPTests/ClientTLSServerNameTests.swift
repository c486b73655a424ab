import XCTest
@testable import SMTP

/// The SNI name the client sends with STARTTLS (RFC 6066 §3: host names only).
final class ClientTLSServerNameTests: XCTestCase {
    func testNamesAreSentWithoutTheFinalDot() {
        XCTAssertEqual(SMTPClientTLS.serverName(for: "mx.example.com"), "mx.example.com")
        XCTAssertEqual(SMTPClientTLS.serverName(for: "mx.example.com."), "mx.example.com")
    }

    func testAddressLiteralsAndNothingGetNoName() {
        XCTAssertNil(SMTPClientTLS.serverName(for: "192.0.2.1"))
        XCTAssertNil(SMTPClientTLS.serverName(for: "2001:db8::1"))
        XCTAssertNil(SMTPClientTLS.serverName(for: ""))
        XCTAssertNil(SMTPClientTLS.serverName(for: nil))
    }
}
