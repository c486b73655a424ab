import XCTest
@testable import SpamEngine

/// `get_envelope_from` (PerMsgStatus.pm): a Return-Path (Envelope-Sender) header is only
/// believed when no copy of it sits below a Received header — SpamAssassin tests
/// `get("ALL") =~ /^Received:.*?^Return-Path:/smi`, any copy, not the first one.
final class MessageEnvelopeFromTests: XCTestCase {
    /// spam/00257 of the corpus, cut down: a delivery-time Return-Path on top, a list's
    /// Return-Path below the first Received. SA 4.0.1 (`-D message`): "Return-Path header
    /// found after 1 or more Received lines, cannot trust envelope-from", so
    /// HEADER_FROM_DIFFERENT_DOMAINS (From coachinvest.com) does not hit.
    static let message = """
        Return-Path: ler@lerami.lerctr.org\r
        Received: via dmail-2002(12) for +lists/freebsd/stable; Tue, 3 Sep 2002 15:33:27 -0500 (CDT)\r
        Return-Path: <owner-freebsd-stable@FreeBSD.ORG>\r
        Received: from mx2.freebsd.org (mx2.FreeBSD.org [216.136.204.119])\r
        \tby lerami.lerctr.org (8.12.2/8.12.2) with ESMTP id g83KXKuK019807\r
        \tfor <ler@lerctr.org>; Tue, 3 Sep 2002 15:33:21 -0500 (CDT)\r
        From: info@coachinvest.com\r
        To: freebsd-stable@FreeBSD.ORG\r
        Subject: Newsletter\r
        \r
        Hello.\r

        """

    func testReturnPathWithACopyBelowAReceivedIsNotTheEnvelopeSender() {
        let view = SAMessage(bytes: Array(Self.message.utf8))
        XCTAssertNil(view.header(HeaderSelector(name: "EnvelopeFrom")))
        let function = evalRegistry()["check_equal_from_domains"]
        XCTAssertEqual(function?(EvalInput(subject: view, arguments: [], ruleName: "HEADER_FROM_DIFFERENT_DOMAINS", kind: .header)), 0)
    }

    func testReturnPathAboveEveryReceivedIsTheEnvelopeSender() {
        let text = Self.message.replacingOccurrences(of: "Return-Path: <owner-freebsd-stable@FreeBSD.ORG>\r\n", with: "")
        let view = SAMessage(bytes: Array(text.utf8))
        XCTAssertEqual(view.header(HeaderSelector(name: "EnvelopeFrom")).map { String(decoding: $0, as: UTF8.self) },
                       "ler@lerami.lerctr.org\n")
    }
}
