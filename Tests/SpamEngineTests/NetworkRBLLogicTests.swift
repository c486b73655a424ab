import XCTest
import DNS
@testable import SpamEngine

/// DNSBL/URIBL semantics without a network: relay selection, subtests, hits from answers.
final class NetworkRBLLogicTests: XCTestCase {
    func testReversedAddresses() {
        XCTAssertEqual(IPAddressText.reversed("192.0.2.1"), "1.2.0.192")
        XCTAssertEqual(IPAddressText.reversed("2001:db8::1"),
                       "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2")
        XCTAssertNil(IPAddressText.reversed("1.2.3"))
        XCTAssertNil(IPAddressText.reversed("256.1.1.1"))
        XCTAssertNil(IPAddressText.reversed("example.com"))
    }

    func testPrivateAddresses() {
        for ip in ["10.1.2.3", "127.0.0.1", "169.254.1.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                   "100.64.0.1", "100.127.1.1", "::1", "fe80::1", "::ffff:10.0.0.1"] {
            XCTAssertTrue(IPAddressText.isPrivate(ip), ip)
        }
        for ip in ["192.0.2.1", "172.32.0.1", "100.128.0.1", "8.8.8.8", "2001:db8::1", "::ffff:8.8.8.8"] {
            XCTAssertFalse(IPAddressText.isPrivate(ip), ip)
        }
    }

    func testRBLSubtests() throws {
        // Bitmask over answers in 127/8.
        XCTAssertTrue(try RBLSubtest("2").matches("127.0.0.2"))
        XCTAssertTrue(try RBLSubtest("2").matches("127.0.0.3"))
        XCTAssertFalse(try RBLSubtest("2").matches("127.0.0.4"))
        XCTAssertFalse(try RBLSubtest("2").matches("10.0.0.2"))  // Bug 6803
        // Exact address.
        XCTAssertTrue(try RBLSubtest("127.0.0.2").matches("127.0.0.2"))
        XCTAssertFalse(try RBLSubtest("127.0.0.2").matches("127.0.0.20"))
        // Regex, unanchored as in Perl.
        let re = try RBLSubtest("127\\.0\\.0\\.[2-3]")
        XCTAssertTrue(re.matches("127.0.0.3"))
        XCTAssertFalse(re.matches("127.0.0.4"))
        XCTAssertTrue(try RBLSubtest("^127\\.0\\.1\\.\\d+$").matches("127.0.1.105"))
        XCTAssertThrowsError(try RBLSubtest("127.0.0.(2"))
    }

    func testURIBLSubtests() throws {
        XCTAssertEqual(URIBLSubtest("127.0.0.4"), .range(0x7f00_0004, 0x7f00_0004))
        XCTAssertEqual(URIBLSubtest("0x10"), .mask(16))
        XCTAssertEqual(URIBLSubtest("127.0.1.0/255.255.255.0"), .valueMask(0x7f00_0100, 0xffff_ff00))
        XCTAssertNil(URIBLSubtest("abc"))
        XCTAssertTrue(try XCTUnwrap(URIBLSubtest("2")).matches("127.0.0.2"))
        XCTAssertFalse(try XCTUnwrap(URIBLSubtest("2")).matches("126.0.0.2"))  // mask only in 127/8
        XCTAssertTrue(try XCTUnwrap(URIBLSubtest("127.0.1.20-127.0.1.39")).matches("127.0.1.25"))
        XCTAssertFalse(try XCTUnwrap(URIBLSubtest("127.0.1.20-127.0.1.39")).matches("127.0.1.40"))
        XCTAssertTrue(try XCTUnwrap(URIBLSubtest("127.0.1.0/255.255.255.0")).matches("127.0.1.200"))
        XCTAssertFalse(try XCTUnwrap(URIBLSubtest("127.0.1.0/255.255.255.0")).matches("127.0.2.1"))
    }

    func testRelaySelection() {
        // Received order: newest first. 10.x is private and never queried.
        let relays = RelayIPs(untrusted: ["198.51.100.1", "10.0.0.5", "203.0.113.7", "198.51.100.1"],
                              external: ["192.0.2.9", "198.51.100.1", "203.0.113.7"],
                              originating: ["192.0.2.200"])
        let checker = RBLChecker(rules: [])
        // Default: every untrusted + originating address, oldest first.
        XCTAssertEqual(checker.ips(for: "zen", relays: relays), ["192.0.2.200", "203.0.113.7", "198.51.100.1"])
        XCTAssertEqual(checker.ips(for: "zen-lastexternal", relays: relays), ["192.0.2.9"])
        XCTAssertEqual(checker.ips(for: "pdl-notfirsthop", relays: relays), ["192.0.2.9", "198.51.100.1"])
        XCTAssertEqual(checker.ips(for: "x-firsttrusted", relays: relays), ["198.51.100.1"])
        XCTAssertEqual(checker.ips(for: "x-untrusted", relays: relays), ["203.0.113.7", "192.0.2.200"])
        // num_check_received bounds the list; trusted addresses at the front are dropped
        // unless the rule is nice.
        let trusting = RBLChecker(rules: [], isTrusted: { $0 == "192.0.2.200" }, numCheckReceived: 2)
        XCTAssertEqual(trusting.ips(for: "zen", relays: relays), ["203.0.113.7", "198.51.100.1"])
        XCTAssertEqual(RBLChecker(rules: [], isTrusted: { $0 == "192.0.2.9" }).ips(for: "zen-lastexternal", relays: relays), [])
        XCTAssertEqual(RBLChecker(rules: [], isTrusted: { $0 == "192.0.2.9" }).ips(for: "zen-lastexternal", isNice: true, relays: relays), ["192.0.2.9"])
        // No untrusted relay and no originating address: nothing is checked.
        XCTAssertEqual(checker.ips(for: "zen-lastexternal", relays: RelayIPs(untrusted: ["10.0.0.1"], external: ["192.0.2.9"])), [])
    }

    func testHitsFromAnswers() throws {
        let rules = [
            try RBLRule.checkRBL("__RCVD_IN_ZEN", set: "zen", zone: "zen.test."),
            try RBLRule.checkRBLSub("RCVD_IN_SBL", set: "zen", subtest: "127.0.0.2"),
            try RBLRule.checkRBLSub("RCVD_IN_XBL", set: "zen", subtest: "127.0.0.[4-7]"),
            try RBLRule.checkRBLSub("RCVD_IN_PBL", set: "zen", subtest: "127.0.0.10"),
            try RBLRule.checkRBLSub("OTHER_SET", set: "other", subtest: "2"),
        ]
        let checker = RBLChecker(rules: rules)
        let relays = RelayIPs(untrusted: ["192.0.2.1", "198.51.100.7"])
        XCTAssertEqual(checker.queries(relays: relays), [DNSQuery("7.100.51.198.zen.test", .a), DNSQuery("1.2.0.192.zen.test", .a)])
        var answers = NetworkAnswers()
        answers.answers[DNSQuery("1.2.0.192.zen.test", .a)] = ["127.0.0.2", "127.0.0.4", "10.0.0.10"]
        answers.answers[DNSQuery("7.100.51.198.zen.test", .a)] = []
        let hits = checker.hits(relays: relays, answers: answers)
        XCTAssertEqual(hits.map(\.rule), ["__RCVD_IN_ZEN", "RCVD_IN_SBL", "RCVD_IN_XBL"])
        XCTAssertEqual(hits.first?.details, ["192.0.2.1 listed in zen.test"])
    }

    func testURIBLTargets() {
        let psl = PublicSuffixList(text: "com\nuk\nco.uk\n")
        let checker = URIBLChecker(
            rules: [URIBLRule(name: "URIBL_TEST", zone: "uribl.test"),
                    URIBLRule(name: "URIBL_FULL", zone: "full.test", notrim: true),
                    URIBLRule(name: "URIBL_IPS", zone: "ips.test", ipsOnly: true)],
            publicSuffixes: psl, skipDomains: ["skipped.com"], maxDomains: 4)
        let hosts = ["www.Spam.co.uk", "skipped.com", "a.skipped.com", "198.51.100.7", "10.0.0.1", "[2001:db8::1]",
                     "co.uk", "spam.co.uk", "x.example.com", "y.example.com", "toomany.com"]
        XCTAssertEqual(checker.targets(hosts: hosts).map(\.domain), ["spam.co.uk", "198.51.100.7", "spam.co.uk", "example.com"])
        let queries = Set(checker.queries(hosts: ["www.spam.co.uk", "198.51.100.7"]))
        XCTAssertEqual(queries, [
            DNSQuery("spam.co.uk.uribl.test", .a), DNSQuery("7.100.51.198.uribl.test", .a),
            DNSQuery("www.spam.co.uk.full.test", .a), DNSQuery("7.100.51.198.full.test", .a),
            DNSQuery("7.100.51.198.ips.test", .a),
        ])
        XCTAssertEqual(URIBLChecker.host(ofURI: "http://user:pw@WWW.Example.com:8080/path?q"), "www.example.com")
        XCTAssertEqual(URIBLChecker.host(ofURI: "https://[2001:db8::1]/x"), "[2001:db8::1]")
        XCTAssertNil(URIBLChecker.host(ofURI: "mailto:a@b.example"))
    }
}
