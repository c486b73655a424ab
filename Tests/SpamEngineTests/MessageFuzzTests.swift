import MIME
import MoatTestSupport
import XCTest
@testable import SpamEngine

/// Random and mutated input through the HTML renderer, the SpamAssassin view and the rule
/// parser: nothing may crash or hang. Deterministic seeds, so a failure reproduces.
final class MessageFuzzTests: XCTestCase {
    private static let fragments: [String] = [
        "<html>", "</html>", "<body bgcolor=#ffffff>", "<font size=1 color=white>", "</font>", "<a href=\"http://",
        "\">", "</a>", "<img src=x width=1 height=1>", "<!--", "-->", "&#x41;", "&amp;", "&#99999999;", "<script>",
        "</script>", "<style>p{color:#fff}</style>", "<table><tr><td>", "<br>", "<p>", "http://www.example.com/?q=1",
        "=?utf-8?b?w6k=?=", "\r\n", "\n", " ", "\t", "<", ">", "\"", "'", "=", "url(", "<base href=\"http://a/b/\">",
    ]

    private func randomHTML(_ g: inout SplitMix64) -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0..<Int.random(in: 0...200, using: &g) {
            if Bool.random(using: &g) {
                out += Array(Self.fragments.randomElement(using: &g)!.utf8)
            } else {
                out.append(UInt8.random(in: 0...255, using: &g))
            }
        }
        return out
    }

    func testHTMLRendererSurvivesRandomInput() {
        var g = SplitMix64(seed: 0xDEC0DE)
        for _ in 0..<1500 {
            let html = randomHTML(&g)
            // Rendering only drops markup: the visible text is never longer than the input
            // plus the line breaks block tags add (one per input byte at most).
            let rendering = HTMLRenderer.render(html)
            XCTAssertLessThanOrEqual(rendering.text.count, 2 * html.count + 16)
        }
    }

    func testSAMessageSurvivesRandomMessages() {
        var g = SplitMix64(seed: 0xFACADE)
        for i in 0..<600 {
            var bytes = Array("From: a@b.example\r\nSubject: x\r\nContent-Type: \(i % 2 == 0 ? "text/html" : "multipart/alternative; boundary=zz")\r\n\r\n".utf8)
            if i % 2 == 1 { bytes += Array("--zz\r\nContent-Type: text/html\r\n\r\n".utf8) }
            bytes += randomHTML(&g)
            if i % 2 == 1 && Bool.random(using: &g) { bytes += Array("\r\n--zz--\r\n".utf8) }
            let message = SAMessage(bytes: bytes)
            _ = message.bodyParagraphs.count + message.rawbodyLines.count + message.uris.count
            _ = message.header(HeaderSelector(name: "From", modifiers: [.addr]))
        }
    }

    func testRuleParserSurvivesMutatedRules() {
        var g = SplitMix64(seed: 0xBADC0FFEE)
        let seed = Array("""
        body RULE_A /foo\\s+bar/i
        header RULE_B Subject =~ /^free/i [if-unset: none]
        meta RULE_C RULE_A && !RULE_B || (RULE_A + RULE_B > 1)
        score RULE_A 1.0 2.0 3.0 4.0
        ifplugin Mail::SpamAssassin::Plugin::HeaderEval
        header RULE_D eval:check_for_missing_to_header()
        endif
        """.utf8)
        for _ in 0..<800 {
            var text = seed
            for _ in 0..<Int.random(in: 1...12, using: &g) {
                let at = Int.random(in: 0..<text.count, using: &g)
                switch Int.random(in: 0...2, using: &g) {
                case 0: text[at] = UInt8.random(in: 0...127, using: &g)
                case 1: text.remove(at: at)
                default: text.insert(Array("/(){}[]\\!&|=~#".utf8).randomElement(using: &g)!, at: at)
                }
            }
            var config = RuleConfiguration()
            RuleLoader.parse(text: String(decoding: text, as: UTF8.self), file: "fuzz.cf", into: &config)
            _ = CompiledRuleset(config, evals: EvalRegistry.standard(config), scoreSet: ScoreSet(bayes: false, network: false),
                                usePrefilter: false)
        }
    }
}
