import Directory
import XCTest

final class PasswordHashTests: XCTestCase {
    func testMakesDovecotSHA512CryptForm() throws {
        let hash = try PasswordHash.make(Array("secret".utf8))
        let parts = hash.dropFirst("{SHA512-CRYPT}".count).split(separator: "$")
        XCTAssertTrue(hash.hasPrefix("{SHA512-CRYPT}$6$"))
        XCTAssertEqual(parts.count, 3)
        XCTAssertEqual(parts[1].count, 16, "salt")
        XCTAssertEqual(parts[2].count, 86, "hash")
        XCTAssertNotEqual(hash, try PasswordHash.make(Array("secret".utf8)), "fresh salt each time")
    }

    func testRoundTripInEveryAcceptedForm() throws {
        let password = Array("pässwörd 123".utf8)
        let hash = try PasswordHash.make(password)
        let bare = String(hash.dropFirst("{SHA512-CRYPT}".count))
        for form in [hash, bare, "{CRYPT}" + bare, "{sha512-crypt}" + bare] {
            XCTAssertTrue(try PasswordHash.verify(password, against: form), form)
            XCTAssertFalse(try PasswordHash.verify(Array("pässwörd 124".utf8), against: form), form)
        }
        XCTAssertFalse(try PasswordHash.verify([], against: hash))
    }

    func testKnownDoveadmHash() throws {
        // doveadm pw -s SHA512-CRYPT -p secret
        let hash = "{SHA512-CRYPT}$6$naiqCDz3XnE5qIoe$ISQr6n8cHQIKxxym.hn9Cj9LJrUfXxlzO01NU1ySFFIb31TOR34wmcJ2CxYPd.QHzcrCbEYInM4IN90ZnAPMu1"
        XCTAssertTrue(try PasswordHash.verify(Array("secret".utf8), against: hash))
        XCTAssertFalse(try PasswordHash.verify(Array("Secret".utf8), against: hash))
    }

    func testRefusesWhatItCannotCheck() {
        XCTAssertThrowsError(try PasswordHash.verify([0x61], against: "{PLAIN}secret")) {
            XCTAssertEqual($0 as? DirectoryError, .unsupportedHashScheme("{PLAIN}"))
        }
        XCTAssertThrowsError(try PasswordHash.verify([0x61], against: "{SHA512-CRYPT}$1$abc$def")) {
            XCTAssertEqual($0 as? DirectoryError, .unsupportedHashScheme("{SHA512-CRYPT}"))
        }
        XCTAssertThrowsError(try PasswordHash.verify([0x61], against: "plaintext"))
        XCTAssertThrowsError(try PasswordHash.make([0x61, 0, 0x62])) {
            XCTAssertEqual($0 as? DirectoryError, .invalidPassword(reason: "contains a NUL byte"))
        }
    }
}
