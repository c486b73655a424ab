import XCTest
@testable import SMTP

final class ClientEndpointTests: XCTestCase {
    func testParsing() throws {
        let cases: [(String, SMTPEndpoint)] = [
            ("127.0.0.1:10025", SMTPEndpoint(lmtp: false, host: "127.0.0.1", port: 10025)),
            ("[::1]:10025", SMTPEndpoint(lmtp: false, host: "::1", port: 10025)),
            ("lmtp:127.0.0.1:10024", SMTPEndpoint(lmtp: true, host: "127.0.0.1", port: 10024)),
            ("LMTP:[::1]:24", SMTPEndpoint(lmtp: true, host: "::1", port: 24)),
            ("smtp:[127.0.0.1]:10025", SMTPEndpoint(lmtp: false, host: "127.0.0.1", port: 10025)),
            ("lmtp:inet:localhost:2424", SMTPEndpoint(lmtp: true, host: "localhost", port: 2424)),
            ("mx.example.org", SMTPEndpoint(lmtp: false, host: "mx.example.org", port: 25)),
            ("lmtp:[2001:db8::1]", SMTPEndpoint(lmtp: true, host: "2001:db8::1", port: 24)),
            ("  127.0.0.1:25 ", SMTPEndpoint(lmtp: false, host: "127.0.0.1", port: 25)),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try SMTPEndpoint(parsing: text), expected, text)
        }
    }

    func testRoundTrip() throws {
        for text in ["127.0.0.1:10025", "[::1]:10025", "lmtp:127.0.0.1:10024", "lmtp:[fe80::1]:24"] {
            XCTAssertEqual(try SMTPEndpoint(parsing: text).description, text)
        }
    }

    func testErrors() {
        let cases: [(String, SMTPEndpoint.ParseError)] = [
            ("", .empty),
            ("lmtp:", .missingHost("lmtp:")),
            (":25", .missingHost(":25")),
            ("127.0.0.1:0", .invalidPort("127.0.0.1:0")),
            ("127.0.0.1:65536", .invalidPort("127.0.0.1:65536")),
            ("127.0.0.1:+25", .invalidPort("127.0.0.1:+25")),
            ("127.0.0.1:", .invalidPort("127.0.0.1:")),
            ("::1:25", .unbracketedIPv6("::1:25")),
            ("[::1", .malformed("[::1")),
            ("[::1]25", .malformed("[::1]25")),
            ("lmtp:unix:/var/run/lmtp", .unixSocketUnsupported("lmtp:unix:/var/run/lmtp")),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try SMTPEndpoint(parsing: text), text) {
                XCTAssertEqual($0 as? SMTPEndpoint.ParseError, expected, text)
            }
        }
    }
}
