import Foundation
import XCTest
@testable import SpamEngine

/// The Received-line parser against SpamAssassin 4.0.1's `parse_received_line`: the fixture
/// holds one line of each shape found in ../shared/corpus with SA's own reading of it
/// (see Fixtures/sa_received.pl), and the hand-written cases below spell out the lines
/// whose reading once differed.
final class MessageReceivedParserTests: XCTestCase {
    /// `MOAT_SA_RECEIVED` may name a larger file of the same format (every line of the corpus).
    static let fixture = ProcessInfo.processInfo.environment["MOAT_SA_RECEIVED"].map(URL.init(fileURLWithPath:))
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/sa_received.expected")

    /// SA's result as the fixture spells it.
    static func spelled(_ line: SAReceivedLine) -> [String] {
        switch line {
        case .relay(let relay): return ["relay", relay.asString, relay.noReverseDNS ? "1" : "0"]
        case .skipped: return ["skipped"]
        case .unparseable: return ["unparseable"]
        case .fetcherMarker: return ["fetcher"]
        case .qmailScanner(let envfrom): return ["qmail-scanner", envfrom ?? "null"]
        }
    }

    func testEveryFixtureLineIsReadAsSpamAssassinReadsIt() throws {
        let text = try String(contentsOf: Self.fixture, encoding: .utf8)
        var checked = 0, differing: [String] = []
        for row in text.split(separator: "\n") {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(row.utf8)) as? [String: Any])
            let line = try XCTUnwrap(object["line"] as? String)
            let expected = try XCTUnwrap(object["sa"] as? [Any]).map { value -> String in
                if let number = value as? NSNumber { return number.stringValue }
                return (value as? String) ?? "null"
            }
            let got = Self.spelled(SAReceivedParser.parse(Array(line.utf8)))
            if got != expected { differing.append("\(line.debugDescription)\n  SA   \(expected)\n  Moat \(got)") }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 700)
        XCTAssertEqual(differing.count, 0, differing.prefix(20).joined(separator: "\n"))
    }

    /// Sendmail's "(may be forged)" after the address: no form takes the rDNS, so the relay
    /// has none (SA: RDNS_NONE), and the HELO comes from the first word.
    func testMayBeForgedSendmailLineHasNoRDNS() {
        let line = "from 18970234148.user.veloxzone.com.br (18970234148.user.veloxzone.com.br [189.70.234.148] (may be forged))\n"
            + "\tby ns2.csmining.org  with ESMTP id n9MBiZOc027268\n\tfor <hibody@csmining.org>; Thu, 22 Oct 2009 20:44:38 +0900 (JST)\n"
        XCTAssertEqual(Self.spelled(SAReceivedParser.parse(Array(line.utf8))), [
            "relay", "[ ip=189.70.234.148 rdns= helo=18970234148.user.veloxzone.com.br by=ns2.csmining.org ident= envfrom= intl=0 id=n9MBiZOc027268 auth= msa=0 ]", "0"])
    }

    /// The message view: the untrusted relay string RDNS_NONE reads
    /// (`X-Spam-Relays-Untrusted =~ /^[^\]]+ rdns= /`), below two private hops.
    func testUntrustedRelayStringOfAMayBeForgedHop() {
        let message = """
            Received: from gw2.example.org (gw2.example.org [192.168.18.251])\r
            \tby mail1.example.org (Postfix) with ESMTP id 222541625D\r
            \tfor <u@example.org>; Thu, 22 Oct 2009 20:44:42 +0900 (JST)\r
            Received: from 18970234148.user.veloxzone.com.br (18970234148.user.veloxzone.com.br [189.70.234.148] (may be forged))\r
            \tby gw2.example.org  with ESMTP id n9MBiZOc027268\r
            \tfor <u@example.org>; Thu, 22 Oct 2009 20:44:38 +0900 (JST)\r
            From: a@example.com\r
            Subject: hi\r
            \r
            body\r

            """
        let view = SAMessage(bytes: Array(message.utf8))
        let untrusted = view.header(HeaderSelector(name: "X-Spam-Relays-Untrusted")).map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(untrusted, "[ ip=189.70.234.148 rdns= helo=18970234148.user.veloxzone.com.br by=gw2.example.org ident= envfrom= intl=0 id=n9MBiZOc027268 auth= msa=0 ]")
        XCTAssertEqual(view.relays.trusted.map(\.rdns), ["gw2.example.org"])
    }

    /// `originating_ip_headers`: X-Originating-IP becomes a relay after the Received ones.
    func testOriginatingIPHeaderAddsARelay() {
        let message = "Received: from a.example.net (a.example.net [203.0.113.5]) by mx.example.org (Postfix) with ESMTP id 1\r\n"
            + "X-Originating-IP: [198.51.100.7]\r\nFrom: a@example.com\r\n\r\nbody\r\n"
        let view = SAMessage(bytes: Array(message.utf8))
        XCTAssertEqual(view.relays.untrusted.map(\.ip), ["203.0.113.5", "198.51.100.7"])
        XCTAssertEqual(view.relays.untrusted.last?.by, "")
    }

    /// A fetchmail hop at the top of the trusted area restarts the trusted list.
    func testFetcherMarkerRestartsTheTrustedRelays() {
        let message = "Received: from localhost [127.0.0.1]\r\n\tby h.example.org with POP3 (fetchmail-6.4.0)\r\n\tfor <u@localhost> (single-drop); Mon, 1 Jan 2024 00:00:00 +0000\r\n"
            + "Received: from b.example.net (b.example.net [10.0.0.2]) by a.example.net (Postfix) with ESMTP id 2\r\n"
            + "From: a@example.com\r\n\r\nbody\r\n"
        let view = SAMessage(bytes: Array(message.utf8))
        XCTAssertEqual(view.relays.trusted.map(\.ip), ["10.0.0.2"])
        XCTAssertEqual(view.relays.unparseableCount, 0)
    }
}
