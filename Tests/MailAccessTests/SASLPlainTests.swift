import Foundation
import MailAccess
import XCTest

final class SASLPlainTests: XCTestCase {
    private func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    func testDecodesTheThreeFields() throws {
        let plain = try SASLPlain(base64: base64(Array("\u{0}alice@example.com\u{0}sesame".utf8)))
        XCTAssertEqual(plain, SASLPlain(user: "alice@example.com", password: Array("sesame".utf8)))
        XCTAssertFalse(plain.asksForAnotherIdentity)
        let same = try SASLPlain(message: Array("Alice@Example.com\u{0}alice@example.com\u{0}pw".utf8))
        XCTAssertFalse(same.asksForAnotherIdentity)
        let other = try SASLPlain(message: Array("bob@example.com\u{0}alice@example.com\u{0}pw".utf8))
        XCTAssertTrue(other.asksForAnotherIdentity)
    }

    /// The password may hold any byte but NUL, including a third NUL-free run of 8-bit bytes.
    func testPasswordKeepsItsBytes() throws {
        let plain = try SASLPlain(message: [0] + Array("u".utf8) + [0, 0xFF, 0x20, 0xC3])
        XCTAssertEqual(plain.password, [0xFF, 0x20, 0xC3])
    }

    func testMalformedMessagesAreRefused() {
        XCTAssertThrowsError(try SASLPlain(base64: "not base64!")) { XCTAssertEqual($0 as? SASLPlain.DecodeError, .notBase64) }
        for message in ["alice\u{0}pw", "\u{0}\u{0}pw", "\u{0}alice\u{0}", "", "\u{0}alice"] {
            XCTAssertThrowsError(try SASLPlain(message: Array(message.utf8)), message.debugDescription) {
                XCTAssertEqual($0 as? SASLPlain.DecodeError, .malformed)
            }
        }
        XCTAssertThrowsError(try SASLPlain(message: [0, 0xFF, 0xFE, 0, 0x61]))  // user not UTF-8
    }
}
