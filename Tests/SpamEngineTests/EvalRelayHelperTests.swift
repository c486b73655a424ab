import PCRE
import XCTest
@testable import SpamEngine

/// RelayEval's byte-level helpers against the forms they replace, on generated names.
final class EvalRelayHelperTests: XCTestCase {
    typealias Generator = EvalInterpolatedPatternTests.Generator

    private func names(seed: UInt64, _ body: (String) -> Void) {
        var g = Generator(state: seed)
        for _ in 0..<30_000 {
            body(String(decoding: g.bytes(from: "ab9._-.\n I1fredx", maxCount: 9), as: UTF8.self))
        }
    }

    func testHostnameToDomainMatchesTheCharacterForm() {
        names(seed: 4) { name in
            XCTAssertEqual(RelayEvals.hostnameToDomain(name), RelayEvals.hostnameToDomainCharacters(name), name)
        }
    }

    func testDomainShapeMatchesThePerlPattern() {
        let perl = EvalSupport.regex("^\\w+(?:[\\w.-]+\\.)+\\w+$")
        names(seed: 5) { name in
            XCTAssertEqual(RelayEvals.hasDomainShape(name), EvalSupport.matches(perl, Array(name.utf8)), name)
        }
    }

    func testIsIPv4() {
        for ip in ["1.2.3.4", "255.255.255.255", "0.0.0.0", "01.2.3.004"] { XCTAssertTrue(RelayEvals.isIPv4(ip), ip) }
        for ip in ["1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "1.2.3.", ".1.2.3", "1.2.3.4\n", "1234.1.1.1", "a.b.c.d", ""] {
            XCTAssertFalse(RelayEvals.isIPv4(ip), ip)
            XCTAssertNil(IPAddressText.ipv4(ip), ip)
        }
        XCTAssertEqual(IPAddressText.ipv4("01.2.3.004"), [1, 2, 3, 4])
        XCTAssertEqual(IPAddressText.ipv4Number("192.0.2.255"), 0xC000_02FF)
    }
}
