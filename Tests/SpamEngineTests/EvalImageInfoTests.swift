import MIME
import XCTest
@testable import SpamEngine

/// ImageInfo's evals: the plugin was not implemented, so its `ifplugin` block (and
/// `__HTML_IMG_ONLY`, which HDRS_LCASE_IMGONLY and T_REMOTE_IMAGE read) never loaded.
final class EvalImageInfoTests: XCTestCase {
    /// A 300×200 GIF, a 640×480 PNG and a 160×120 JPEG (headers only), base64.
    static let message = "From: a@example.com\r\nTo: b@example.org\r\nSubject: pics\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nLook.\r\n--XX\r\nContent-Type: image/gif; name=\"a.gif\"\r\nContent-Transfer-Encoding: base64\r\n\r\nR0lGODlhLAHIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n--XX\r\nContent-Type: image/png; name=\"b.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUgAAAoAAAAHgCAIAAAAAAAAAAAAAAElFTkQAAAAA\r\n--XX\r\nContent-Type: image/jpeg; name=\"c.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRgAAAAAAAAAAAAD/wAARCAB4AKADAAAAAAAAAAAA/9k=\r\n--XX--\r\n"

    /// `spamassassin -t` with these rules on the message: every T_ rule hits except the
    /// two written with height and width swapped or a wrong pixel count.
    static let rules = """
        body T_IA eval:image_size_exact('gif','200','300')
        body T_IB eval:image_size_exact('png','480','640')
        body T_IC eval:image_size_exact('jpeg','120','160')
        body T_ID eval:pixel_coverage('all','386400','386400')
        body T_IE eval:image_count('all','3','3')
        body T_IF eval:image_named('b.png')
        body T_IG eval:image_size_range('all','100','150','130','170')
        body T_IH eval:image_to_text_ratio('all','0.0000','0.0001')
        body T_NA eval:image_size_exact('gif','300','200')
        body T_NB eval:pixel_coverage('all','384000','384000')
        body T_NC eval:image_count('gif','2')
        """

    func testImageFactsAsImageInfoReadsThem() async throws {
        let dir = try EngineRulesDirectory(Self.rules)
        defer { dir.remove() }
        let engine = RuleEngine(directories: [dir.path], settings: RuleEngineSettings(useNetwork: false))
        XCTAssertEqual(engine.unimplemented, [])
        let hits = await engine.scan(MIMEMessage.parse(Array(Self.message.utf8))).verdict.hits.map { $0.name }.sorted()
        XCTAssertEqual(hits, ["T_IA", "T_IB", "T_IC", "T_ID", "T_IE", "T_IF", "T_IG", "T_IH"])
    }

    func testStockImageInfoRulesLoad() {
        XCTAssertTrue(RuleLoader.nativePlugins.contains("Mail::SpamAssassin::Plugin::ImageInfo"))
        XCTAssertNil(ImageFacts.gifSize(Array("GIF88a".utf8) + [1, 0, 1, 0]))
        XCTAssertNil(ImageFacts.jpegSize([0xFF, 0xD8, 0xFF, 0xDA, 0, 2]))
    }
}
