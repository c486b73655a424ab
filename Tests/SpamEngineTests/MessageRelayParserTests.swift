import XCTest
@testable import SpamEngine

/// The byte parser of ASCII Received lines against the Character-based parser it stands
/// in for, on lines assembled from the pieces the parser looks for (deterministic).
final class MessageRelayParserTests: XCTestCase {
    /// Pieces of Received lines; a ")" only ever closes a "(" of the same piece.
    static let pieces = [
        "from ", "from", " by ", "by ", " ", "  ", "\t", "mail.example.com", "EXAMPLE.org", "[10.1.2.3]", "[203.0.113.9]",
        "203.0.113.7", "(helo=x.y)", "([198.51.100.2] helo=h.example)", "(HELO", " mx.example.net", "(unknown [1.2.3.4])",
        "(IDENT:root@host.example [192.0.2.1])", "(user@rdns.example [192.0.2.5])", "(192.0.2.8)", "([IPv6:::1])",
        "(rdns.example [192.0.2.44])", "@[1.2.3.4]", "unknown", "with ESMTP", "with ESMTPA", "with esmtpsa;", "with HTTP",
        "id 4F3A21C0", "id <abc>;", ";", "; Mon, 1 Jan 2024 00:00:00 +0000", "(envelope-sender <a@b.example>)",
        "envelope-from <c@d.example>", "envelope-from e@f.example", "(authenticated bits=0)", "(Authenticated sender: u)",
        "(Exim 4.96)", "with local", "with local-bsmtp ", "(fetchmail-6.4)", "localhost", "(qmail 123 invoked by uid 0)",
    ]

    func testASCIIParserAgreesWithTheCharacterParser() {
        var g = EvalInterpolatedPatternTests.Generator(state: 7)
        var relays = 0
        for _ in 0..<30_000 {
            var line = g.below(4) == 0 ? "" : "from "
            for _ in 0..<(1 + g.below(9)) { line += Self.pieces[g.below(Self.pieces.count)] }
            let parsed = SARelays.parseASCII(Array(line.utf8))
            XCTAssertEqual(parsed, SARelays.parseCharacters(line), line)
            if parsed != nil { relays += 1 }
        }
        // Most lines must get far enough to exercise the field extraction.
        XCTAssertGreaterThan(relays, 5_000)
    }

    /// A ")" before the first "(" once trapped on an inverted range: the parenthesis is
    /// skipped, by both parsers, and the line still yields its relay.
    func testCloseBeforeOpenParenthesis() {
        for line in ["from a) (b [1.2.3.4]) by mx.example.com with SMTP id 1\n",
                     "from [5.6.7.8]) (b [1.2.3.4]) by mx.example.com\n",
                     "from a) (b [1.2.3.4]) by m\u{E9}.example.com\n"] {
            let relay = SARelays.parse(line)
            XCTAssertEqual(relay?.ip, line.hasPrefix("from [") ? "5.6.7.8" : "1.2.3.4", line)
            XCTAssertEqual(relay?.rdns, "", line)
            if SARelays.isASCII(line) { XCTAssertEqual(SARelays.parseCharacters(line), relay, line) }
        }
    }
}
