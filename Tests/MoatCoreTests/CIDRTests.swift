import XCTest
@testable import MoatCore

final class CIDRTests: XCTestCase {
    func testAddressesParseAndPrint() throws {
        XCTAssertEqual(IPAddress("192.0.2.1")?.description, "192.0.2.1")
        XCTAssertEqual(IPAddress("[192.0.2.1]")?.description, "192.0.2.1")
        XCTAssertEqual(IPAddress("2001:DB8:0:0::1")?.description, "2001:db8::1")
        XCTAssertEqual(IPAddress("IPv6:2001:db8::1")?.description, "2001:db8::1")
        XCTAssertEqual(IPAddress("::ffff:192.0.2.7")?.isIPv4, true)
        XCTAssertEqual(IPAddress("::ffff:192.0.2.7")?.description, "192.0.2.7")
        for bad in ["", "1.2.3", "1.2.3.256", "01.2.3.4", "1.2.3.4.5", "example.com", "::g", "1.2.3.4 "] {
            XCTAssertNil(IPAddress(bad), bad)
        }
    }

    func testContainsBothFamilies() throws {
        let v4 = try CIDR("192.0.2.0/24")
        XCTAssertTrue(v4.contains(IPAddress("192.0.2.255")!))
        XCTAssertFalse(v4.contains(IPAddress("192.0.3.0")!))
        // An IPv4 network never contains an IPv6 address that shares its low bits.
        XCTAssertFalse(v4.contains(IPAddress("::c000:201")!))
        let v6 = try CIDR("2001:db8::/32")
        XCTAssertTrue(v6.contains(IPAddress("2001:db8:ffff::1")!))
        XCTAssertFalse(v6.contains(IPAddress("2001:db9::1")!))
        XCTAssertTrue(try CIDR("0.0.0.0/0").contains(IPAddress("203.0.113.9")!))
        XCTAssertTrue(try CIDR("::/0").contains(IPAddress("::1")!))
        XCTAssertEqual(try CIDR("10.1.2.3").prefixLength, 32)
    }

    func testSpamAssassinShortForms() throws {
        XCTAssertEqual(try CIDR("10.").description, "10.0.0.0/8")
        XCTAssertEqual(try CIDR("192.168.1").description, "192.168.1.0/24")
        XCTAssertEqual(try CIDR("127/8").description, "127.0.0.0/8")
    }

    func testErrorsSayWhy() {
        XCTAssertThrowsError(try CIDR("192.0.2.1/24")) { XCTAssertTrue("\($0)".contains("host bits")) }
        XCTAssertThrowsError(try CIDR("192.0.2.0/33")) { XCTAssertTrue("\($0)".contains("0–32")) }
        XCTAssertThrowsError(try CIDR("2001:db8::/129"))
        XCTAssertThrowsError(try CIDR("mail.example.com")) { XCTAssertTrue("\($0)".contains("not an IP address")) }
    }

    func testNetworkSetMostSpecificWinsAndNegates() throws {
        let set = try NetworkSet(["!192.0.2.5", "192.0.2.0/24", "2001:db8::/32"], includeLoopback: true)
        XCTAssertTrue(set.contains("192.0.2.4"))
        XCTAssertFalse(set.contains("192.0.2.5"))
        XCTAssertTrue(set.contains("127.0.0.1"))
        XCTAssertTrue(set.contains("::1"))
        XCTAssertTrue(set.contains("2001:db8::25"))
        XCTAssertFalse(set.contains("198.51.100.1"))
        XCTAssertFalse(set.contains("not an address"))
        XCTAssertFalse(NetworkSet().contains("127.0.0.1"))
    }

    func testInterfaceAddressesIncludeLoopback() {
        let all = InterfaceAddresses.all()
        XCTAssertTrue(all.contains(IPAddress("127.0.0.1")!), "\(all)")
        XCTAssertEqual(InterfaceAddresses.served(byListenerOn: "127.0.0.1"), [IPAddress("127.0.0.1")!])
        XCTAssertEqual(InterfaceAddresses.served(byListenerOn: "0.0.0.0"), all)
    }
}
