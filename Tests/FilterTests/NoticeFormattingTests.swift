import Foundation
import Notices
import XCTest
@testable import Filter

/// RFC5322Date and HeaderFolding against what amavisd-new 2.13 wrote
/// (/work/shared/reference/amavisd-new/*.headers.txt, lines copied verbatim below).
final class NoticeFormattingTests: XCTestCase {
    // MARK: RFC5322Date

    func testDateMatchesAmavisReference() {
        XCTAssertEqual(RFC5322Date.format(Date(timeIntervalSince1970: 1_795_654_093)),
                       "Thu, 26 Nov 2026 00:48:13 +0000 (UTC)")
    }

    func testDateSpacePadsSingleDigitDayLikeStrftimeE() {
        XCTAssertEqual(RFC5322Date.format(Date(timeIntervalSince1970: 0)), "Thu,  1 Jan 1970 00:00:00 +0000 (UTC)")
        XCTAssertEqual(RFC5322Date.format(Date(timeIntervalSince1970: 1_772_874_301)),
                       "Sat,  7 Mar 2026 09:05:01 +0000 (UTC)")
    }

    func testDateDropsFractionsAndHandlesLeapDay() {
        XCTAssertEqual(RFC5322Date.format(Date(timeIntervalSince1970: 951_868_799.999)),
                       "Tue, 29 Feb 2000 23:59:59 +0000 (UTC)")
    }

    // MARK: HeaderFolding, X-Spam-Status

    /// amavisd-new's X-Spam-Status tokens: the tests list is joined by ", " and split at spaces.
    private func spamStatusTokens(_ flag: String, score: String, tests: [(String, String)]) -> [String] {
        let list = tests.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")
        return ["\(flag),", "score=\(score)", "tagged_above=-9999", "required=6.31"]
            + "tests=[\(list)]".split(separator: " ").map(String.init) + ["autolearn=disabled"]
    }

    private func crlf(_ lines: [String]) -> String { lines.joined(separator: "\r\n") + "\r\n" }

    func testFoldsSpamStatusOfSpamLikeReference() {
        let tests: [(String, String)] = [
            ("FREEMAIL_FORGED_FROMDOMAIN", "1"), ("FREEMAIL_FROM", "0.001"), ("FSL_HELO_NON_FQDN_1", "2.361"),
            ("HEADER_FROM_DIFFERENT_DOMAINS", "1"), ("HELO_NO_DOMAIN", "1"), ("HTML_EXTRA_CLOSE", "0.001"),
            ("HTML_FONT_TINY_NORDNS", "1"), ("HTML_MESSAGE", "0.001"), ("INVALID_DATE_TZ_ABSURD", "0.262"),
            ("MIME_HTML_ONLY", "0.1"), ("RDNS_NONE", "2.399"), ("SPOOFED_FREEMAIL", "1"),
            ("SPOOFED_FREEMAIL_NO_RDNS", "1"), ("UNPARSEABLE_RELAY", "0.001"),
        ]
        let reference = [
            "X-Spam-Status: Yes, score=11.126 tagged_above=-9999 required=6.31",
            " tests=[FREEMAIL_FORGED_FROMDOMAIN=1, FREEMAIL_FROM=0.001,",
            " FSL_HELO_NON_FQDN_1=2.361, HEADER_FROM_DIFFERENT_DOMAINS=1, HELO_NO_DOMAIN=1,",
            " HTML_EXTRA_CLOSE=0.001, HTML_FONT_TINY_NORDNS=1, HTML_MESSAGE=0.001,",
            " INVALID_DATE_TZ_ABSURD=0.262, MIME_HTML_ONLY=0.1, RDNS_NONE=2.399,",
            " SPOOFED_FREEMAIL=1, SPOOFED_FREEMAIL_NO_RDNS=1, UNPARSEABLE_RELAY=0.001]",
            " autolearn=disabled",
        ]
        XCTAssertEqual(HeaderFolding.fold(name: "X-Spam-Status",
                                          tokens: spamStatusTokens("Yes", score: "11.126", tests: tests)),
                       crlf(reference))
    }

    func testFoldsSpamStatusOfGTUBELikeReference() {
        let tests: [(String, String)] = [
            ("GTUBE", "1000"), ("HEADER_FROM_DIFFERENT_DOMAINS", "1"), ("NO_RECEIVED", "-0.001"),
            ("NO_RELAYS", "-0.001"),
        ]
        let reference = [
            "X-Spam-Status: Yes, score=1000.998 tagged_above=-9999 required=6.31",
            " tests=[GTUBE=1000, HEADER_FROM_DIFFERENT_DOMAINS=1, NO_RECEIVED=-0.001,",
            " NO_RELAYS=-0.001] autolearn=disabled",
        ]
        XCTAssertEqual(HeaderFolding.fold(name: "X-Spam-Status",
                                          tokens: spamStatusTokens("Yes", score: "1000.998", tests: tests)),
                       crlf(reference))
    }

    func testFoldsSpamStatusOfHamLikeReference() {
        let tests: [(String, String)] = [("HEADER_FROM_DIFFERENT_DOMAINS", "1"), ("MAILING_LIST_MULTI", "-1")]
        let reference = [
            "X-Spam-Status: No, score=0 tagged_above=-9999 required=6.31",
            " tests=[HEADER_FROM_DIFFERENT_DOMAINS=1, MAILING_LIST_MULTI=-1]",
            " autolearn=disabled",
        ]
        XCTAssertEqual(HeaderFolding.fold(name: "X-Spam-Status",
                                          tokens: spamStatusTokens("No", score: "0", tests: tests)),
                       crlf(reference))
    }

    // MARK: HeaderFolding, notification Subject

    func testFoldsNotificationSubjectsLikeReference() {
        XCTAssertEqual(
            HeaderFolding.fold(name: "Subject",
                               value: "VIRUS (Peers.ClamAVTestFile.Code.NDB.UNOFFICIAL) in mail FROM [127.0.0.1] <sender@example.org>"),
            crlf(["Subject: VIRUS (Peers.ClamAVTestFile.Code.NDB.UNOFFICIAL) in mail FROM",
                  " [127.0.0.1] <sender@example.org>"]))
        XCTAssertEqual(
            HeaderFolding.fold(name: "Subject",
                               value: "VIRUS (Peers.Eicar.NDB.UNOFFICIAL) in mail FROM [127.0.0.1] <sender@example.org>"),
            crlf(["Subject: VIRUS (Peers.Eicar.NDB.UNOFFICIAL) in mail FROM [127.0.0.1]",
                  " <sender@example.org>"]))
    }

    func testFoldingEdgeCases() {
        XCTAssertEqual(HeaderFolding.fold(name: "X-Spam-Level", tokens: []), "X-Spam-Level:\r\n")
        // Exactly `width` fits; one more octet folds.
        XCTAssertEqual(HeaderFolding.fold(name: "A", tokens: ["123", "5678"], width: 11), "A: 123 5678\r\n")
        XCTAssertEqual(HeaderFolding.fold(name: "A", tokens: ["123", "56789"], width: 11), "A: 123\r\n 56789\r\n")
        // A token longer than the width is never split and never leaves an empty line.
        let long = String(repeating: "x", count: 100)
        XCTAssertEqual(HeaderFolding.fold(name: "A", tokens: [long, "b"]), "A: \(long)\r\n b\r\n")
        XCTAssertEqual(HeaderFolding.fold(name: "A", tokens: ["a", long]), "A: a\r\n \(long)\r\n")
    }

    // MARK: NoticeText

    func testHeaderTokensEncodeNonASCIIAndDropControls() {
        let tokens = NoticeText.headerTokens("BANNED (r\u{E9}sum\u{E9} f\u{FC}r.exe)\r\nBcc: x in")
        XCTAssertTrue(tokens.allSatisfy { $0.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 } })
        XCTAssertEqual(tokens.first, "BANNED")
        XCTAssertEqual(Array(tokens.suffix(3)), ["Bcc:", "x", "in"])
        XCTAssertTrue(tokens.contains { $0.hasPrefix("=?UTF-8?B?") })
        XCTAssertTrue(tokens.allSatisfy { $0.utf8.count <= 75 })
    }

    func testNormalisedLinesMakesCRLFAndDropsBlankLine() {
        XCTAssertEqual(NoticeText.normalisedLines(Array("A: 1\nB: 2\r\n x\rC: 3\n\n".utf8)),
                       Array("A: 1\r\nB: 2\r\n x\r\nC: 3\r\n".utf8))
        XCTAssertEqual(NoticeText.normalisedLines(Array("A: 1".utf8)), Array("A: 1\r\n".utf8))
        XCTAssertEqual(NoticeText.normalisedLines(Array("\r\n".utf8)), [])
    }
}
