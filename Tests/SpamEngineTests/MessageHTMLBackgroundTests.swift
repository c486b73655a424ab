import XCTest
@testable import MIME
@testable import SpamEngine

/// The CSS `background:` shorthand sets the text's background colour (HTML.pm,
/// SpamAssassin bug 8210). Moat read only `background-color:`, so white text on a
/// `background: #3b5998` cell looked like white on white: HTML_FONT_LOW_CONTRAST hit where
/// SpamAssassin 4.0.1 does not (csdmc2010/spam/03857, 04221).
final class MessageHTMLBackgroundTests: XCTestCase {
    static func message(_ style: String) -> String {
        "From: a@example.com\r\nTo: b@example.org\r\nSubject: news\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/html; charset=us-ascii\r\n\r\n"
            + "<html><body><table><tr><td style=\"\(style)\">Welcome to the new network, "
            + "your friends are waiting for you here</td></tr></table></body></html>\r\n"
    }

    /// `spamassassin -t` on this message: no HTML_FONT_LOW_CONTRAST.
    func testBackgroundShorthandColourIsTheTextBackground() {
        let view = SAMessage(bytes: Array(Self.message("background: #3b5998 url('a b.png') no-repeat; color: #fff;").utf8))
        XCTAssertFalse(view.html.fontLowContrast)
    }

    /// White on the default white background stays invisible text.
    func testWhiteTextWithoutABackgroundColourIsLowContrast() {
        XCTAssertTrue(SAMessage(bytes: Array(Self.message("background: url(x.png); color: #fff;").utf8)).html.fontLowContrast)
        XCTAssertTrue(SAMessage(bytes: Array(Self.message("Background: #3b5998; color: #fff;").utf8)).html.fontLowContrast)
    }

    func testLayersTokensAndQuotes() {
        XCTAssertEqual(HTMLCSSBackground.layers("url(\"a, b.png\") red, #fff no-repeat"),
                       [["url(\"a, b.png\")", "red"], ["#fff", "no-repeat"]])
        XCTAssertEqual(HTMLCSSBackground.color("url(a.png) RED, none #FfF"), "#ffffff")
        XCTAssertNil(HTMLCSSBackground.color("url(a.png) no-repeat"))
    }
}

/// A style value broken over lines (`color:\nblack`): Perl's `\s*` takes the newline, so
/// SpamAssassin reads "black"; Moat trimmed spaces and tabs but kept a lone "\n" (its
/// Character set held only the pair "\r\n") and found an invalid colour:
/// T_KAM_HTML_FONT_INVALID hit where SA's does not (spam/00470, csdmc2010/spam/00110).
final class MessageHTMLStyleNewlineTests: XCTestCase {
    func testColourAfterANewlineIsValid() {
        let message = "From: a@example.com\r\nTo: b@example.org\r\nSubject: price\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/html; charset=us-ascii\r\n\r\n"
            + "<html><body><table><tr><td style=\"FONT-SIZE: 12px; COLOR: \nblack; FONT-FAMILY: Verdana\">"
            + "Our price is lower than ever before for this week only</td></tr></table></body></html>\r\n"
        let view = SAMessage(bytes: Array(message.utf8))
        XCTAssertFalse(view.html.fontInvalidColor)
        XCTAssertTrue(view.html.isHTML)
    }
}
