import XCTest
@testable import MoatCore

/// mynetworks measured as a union: every way of writing "the whole Internet" is caught,
/// a site's own nets are not.
final class NetworkReachTests: XCTestCase {
    private func extent(_ specs: [String], file: StaticString = #filePath, line: UInt = #line) -> NetworkReach.Extent {
        do {
            return NetworkReach(try NetworkSet(specs)).extent
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return .site
        }
    }

    func testEverythingInAnySplit() {
        for specs in [
            ["0.0.0.0/0"],
            ["0.0.0.0/1", "128.0.0.0/1"],
            ["128.0.0.0/1", "127.0.0.0/8", "0.0.0.0/1"],
            ["::/0"],
            ["::/1", "8000::/1"],
            ["::ffff:0.0.0.0/0"],                   // IPv4-mapped spelling of 0/0
            ["0.0.0.0/0", "!192.0.2.0/24"],         // a hole does not close a relay
            // everything but 10/8, which is private anyway: every public address is in
            ["0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8", "12.0.0.0/6", "16.0.0.0/4", "32.0.0.0/3", "64.0.0.0/2",
             "128.0.0.0/1"],
        ] {
            XCTAssertEqual(extent(specs), .everything, "\(specs)")
        }
    }

    func testWiderThanASite() {
        for specs in [
            ["0.0.0.0/1"],
            ["198.50.0.0/15"],
            ["198.51.0.0/16", "203.0.0.0/16"],    // two separate /16s add up
            ["198.51.0.0/16", "203.0.113.7"],      // a /16 and one more address
            ["2000::/3"],
            ["2001:db8::/31"],
            ["10.0.0.0/8", "100.0.0.0/8"],         // the private /8 is free, the public one is not
        ] {
            XCTAssertEqual(extent(specs), .wide, "\(specs)")
        }
    }

    func testSiteNetworks() {
        for specs in [
            ["127.0.0.0/8", "::1/128"],
            ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"],
            ["fc00::/7", "fe80::/10"],
            ["198.51.0.0/16"],                     // exactly a /16
            ["198.51.0.0/17", "198.51.128.0/17"],  // the same /16 in halves
            ["2001:db8::/32", "2001:db8:1::/48"],  // a /32 and a net inside it
            ["192.0.2.0/24", "2001:db8::/32"],
            [],
        ] {
            XCTAssertEqual(extent(specs), .site, "\(specs)")
        }
    }

    func testSummaryNamesTheFamilyAndCount() throws {
        XCTAssertEqual(NetworkReach(try NetworkSet(["0.0.0.0/1", "128.0.0.0/1"])).summary, "every public IPv4 address")
        XCTAssertEqual(NetworkReach(try NetworkSet(["198.50.0.0/15"])).summary,
                       "131072 public IPv4 addresses (more than a /16)")
    }

    func testSpanArithmeticAtTheEdges() {
        XCTAssertEqual(Span.union([Span(lo: 5, hi: .max), Span(lo: 0, hi: 4)]), [Span(lo: 0, hi: .max)])
        XCTAssertEqual(Span.union([Span(lo: 0, hi: 3), Span(lo: 5, hi: 6)]), [Span(lo: 0, hi: 3), Span(lo: 5, hi: 6)])
        XCTAssertEqual(Span(lo: 0, hi: 10).removing([Span(lo: 0, hi: 2), Span(lo: 5, hi: 5), Span(lo: 9, hi: 20)]),
                       [Span(lo: 3, hi: 4), Span(lo: 6, hi: 8)])
        XCTAssertEqual(Span(lo: 3, hi: 4).removing([Span(lo: 0, hi: .max)]), [])
    }
}
