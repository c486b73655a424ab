import MoatTestSupport
import XCTest
@testable import DNS
@testable import MoatCore

/// AAAA, MX and PTR. The PTR records sit in 2.0.192.in-addr.arpa (TEST-NET-1), which
/// libunbound answers itself unless told to forward it (`forwardedDefaultZones`).
extension UnboundResolverTests {
    func testAAAA() async throws {
        let r = try resolver()
        let v6 = try await r.lookupAAAA("v6.moat.example")
        XCTAssertEqual(v6, ["2001:db8::25"])
        let both = try await r.lookupAAAA("both.moat.example")
        XCTAssertEqual(both, ["2001:db8::7"])
        let none = try await r.lookupAAAA("nothing.moat.example")
        XCTAssertEqual(none, [])
        let nodata = try await r.lookupAAAA("mail.moat.example")
        XCTAssertEqual(nodata, [])
    }

    func testMX() async throws {
        let r = try resolver()
        let mx = try await r.lookupMX("mail.moat.example").sorted { $0.preference < $1.preference }
        XCTAssertEqual(mx, [MXRecord(preference: 10, exchange: "mx1.moat.example"), MXRecord(preference: 20, exchange: "mx2.moat.example")])
        // Second time from the cache, in master-file form and back.
        let cached = try await r.lookupMX("mail.moat.example").sorted { $0.preference < $1.preference }
        XCTAssertEqual(cached, mx)
        XCTAssertEqual(r.statistics.cacheHits, 1)
        let none = try await r.lookupMX("nothing.moat.example")
        XCTAssertEqual(none, [])
        let text = try await r.lookup("mail.moat.example", type: .mx)
        XCTAssertEqual(Set(text), ["10 mx1.moat.example.", "20 mx2.moat.example."])
    }

    func testPTR() async throws {
        let r = try resolver()
        let names = try await r.lookupPTR(IPAddress("192.0.2.10")!)
        XCTAssertEqual(names, ["host10.moat.example"])
        let v6 = try await r.lookupPTR(IPAddress("2001:db8::25")!)
        XCTAssertEqual(v6, [])  // ip6.arpa for 2001:db8::/32 is still answered locally (NXDOMAIN)
        let none = try await r.lookupPTR(IPAddress("192.0.2.11")!)
        XCTAssertEqual(none, [])
    }

    func testDefaultZoneIsAnsweredLocallyUnlessForwarded() async throws {
        let r = try resolver(forwarding: [])
        let names = try await r.lookupPTR(IPAddress("192.0.2.10")!)
        XCTAssertEqual(names, [], "libunbound's RFC 6303 default zone answers NXDOMAIN itself")
    }

    func testReverseNames() {
        XCTAssertEqual(IPAddress("192.0.2.10")!.reverseName, "10.2.0.192.in-addr.arpa")
        XCTAssertEqual(IPAddress("2001:db8::1")!.reverseName,
                       "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")
    }

    func testRDataNamesAndMX() {
        let name: [UInt8] = [4] + Array("Mail".utf8) + [7] + Array("example".utf8) + [0]
        XCTAssertEqual(RData.name(name[...]), "mail.example")
        XCTAssertEqual(RData.name([0][...]), "")
        XCTAssertNil(RData.name([4, 0x61][...]))  // label runs past the end
        XCTAssertNil(RData.name([0xC0, 0x0C][...]))  // compression pointer
        XCTAssertEqual(RData.mx([0, 10] + name), MXRecord(preference: 10, exchange: "mail.example"))
        XCTAssertTrue(MXRecord.isNullMX([RData.mx([0, 0, 0])!]))
        XCTAssertEqual(RData.ipv6([0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]), "2001:db8::1")
    }
}
