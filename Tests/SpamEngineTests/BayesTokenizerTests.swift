import Foundation
import MIME
import XCTest
@testable import SpamEngine

/// Fixtures and the shared corpus, located relative to this file.
enum BayesTestFiles {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/corpus")
    static let names = ["bayes_spam_00001", "bayes_spam_00005", "bayes_spam_00025", "bayes_ham_00001", "bayes_ham_00002"]

    /// A `sa_tokens.pl` dump: JSON strings whose code points are bytes.
    struct Dump {
        var headers: [[UInt8]]
        var body: [[UInt8]]
        var inviz: [[UInt8]]
        var uris: [[UInt8]]
        var tokens: Set<[UInt8]>
    }

    static func dump(_ name: String) throws -> Dump {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("\(name).sa.json"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        func bytes(_ key: String) -> [[UInt8]] {
            ((object[key] as? [String]) ?? []).map { $0.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) } }
        }
        return Dump(headers: bytes("headers"), body: bytes("body"), inviz: bytes("inviz"), uris: bytes("uris"),
                    tokens: Set(bytes("tokens")))
    }

    /// SpamAssassin's "Name: value\n" lines → (name, value); metadata names are lowercase.
    static func input(_ d: Dump) -> BayesInput {
        var headers: [(name: String, value: [UInt8])] = []
        var metadata: [(name: String, value: [UInt8])] = []
        for line in d.headers {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(decoding: line[..<colon], as: UTF8.self)
            let value = Array(line[(colon + 1)...])
            if name.hasPrefix("x-spam-relays-") || name == "x-spam-relays" { metadata.append((name, value)) }
            else { headers.append((name, value)) }
        }
        return BayesInput(headers: headers, metadata: metadata, body: d.body, invisible: d.inviz, uris: d.uris)
    }
}

final class BayesTokenizerTests: XCTestCase {
    func show(_ t: some Collection<[UInt8]>) -> String {
        t.map { String(decoding: $0, as: UTF8.self) }.sorted().joined(separator: " | ")
    }

    /// Same inputs as SpamAssassin's tokenizer got → the same token set.
    func testMatchesSpamAssassinOnItsOwnInputs() throws {
        let tokenizer = BayesTokenizer()
        var total = 0, agreed = 0
        for name in BayesTestFiles.names {
            let dump = try BayesTestFiles.dump(name)
            let ours = Set(tokenizer.tokenize(BayesTestFiles.input(dump)).tokens.values)
            let missing = dump.tokens.subtracting(ours), extra = ours.subtracting(dump.tokens)
            total += dump.tokens.union(ours).count
            agreed += dump.tokens.intersection(ours).count
            XCTAssertTrue(missing.isEmpty && extra.isEmpty,
                          "\(name): missing \(show(missing))\n extra \(show(extra))")
        }
        print("Bayes tokenizer vs SpamAssassin 4.0.1 (same inputs): \(agreed)/\(total) tokens agree")
    }

    /// Our rendering (SAMessage) instead of SpamAssassin's own: agreement is reported, not exact.
    func testAdapterAgreementWithSpamAssassin() throws {
        let tokenizer = BayesTokenizer()
        var total = 0, agreed = 0
        var lines: [String] = []
        for name in BayesTestFiles.names {
            let dump = try BayesTestFiles.dump(name)
            let bytes = try Array(Data(contentsOf: BayesTestFiles.fixtures.appendingPathComponent("\(name).eml")))
            let ours = Set(tokenizer.tokenize(BayesMessageAdapter.input(from: MIMEMessage.parse(bytes))).tokens.values)
            // SpamAssassin's metadata headers (X-Spam-Relays-*) are not rendered by the adapter.
            let theirs = dump.tokens.filter { !$0.starts(with: Array("Hx-spam-relays".utf8)) && !$0.starts(with: Array("H*RU:".utf8)) && !$0.starts(with: Array("H*RT:".utf8)) }
            let union = theirs.union(ours).count, common = theirs.intersection(ours).count
            total += union; agreed += common
            lines.append("  \(name): \(common)/\(union) (Jaccard \(String(format: "%.1f", 100.0 * Double(common) / Double(max(union, 1))))%)")
        }
        let pct = 100.0 * Double(agreed) / Double(max(total, 1))
        print("Bayes adapter vs SpamAssassin rendering: \(String(format: "%.1f", pct))% of tokens agree\n" + lines.joined(separator: "\n"))
        XCTAssertGreaterThan(pct, 95)
    }

    func tokens(_ body: String, headers: [(String, String)] = [], uris: [String] = []) -> Set<String> {
        let input = BayesInput(headers: headers.map { (name: $0.0, value: $0.1) }, bodyText: [body], uris: uris)
        return Set(BayesTokenizer().tokenize(input).texts)
    }

    func line(_ text: String, region: BayesTokenizer.Region) -> String {
        var out: [[UInt8]] = []
        var cache: [[UInt8]: Bool] = [:]
        BayesTokenizer().tokenizeLine(Array(text.utf8), prefix: [], region: region, into: &out, stopCache: &cache)
        return Set(out.map { String(decoding: $0, as: UTF8.self) }).sorted().joined(separator: " | ")
    }

    /// Expected values printed by SpamAssassin 4.0.1's `_tokenize_line` (region 1 = body, 2 = URI).
    func testLinesAsSpamAssassin() {
        XCTAssertEqual(line("Hello World. Buy VIAGRA now!!! at www.Example.com or mail bob@mail.example.org", region: .body),
                       "D*example.org | D*mail.example.org | D*org | U*bob | UD:Example.com | UD:com | UD:www.Example.com | VIAGRA | buy | hello | now | now!!! | sk:bob@mai | sk:bobmai | viagra | www.Example.com | www.example.com | wwwExamplecom | wwwexamplecom")
        XCTAssertEqual(line("http://averyveryverylongdomainname.example/", region: .uri),
                       "UD:averyveryverylongdomainname.example | UD:example | averyveryverylongdomainname.example | averyveryverylongdomainnameexample")
        XCTAssertEqual(line("supercalifragilisticexpialidocious 日本語のテキストです", region: .body),
                       "sk:superca | u8:す | u8:で | u8:の | u8:キ | u8:ス | u8:テ | u8:ト | u8:日 | u8:本 | u8:語")
        XCTAssertEqual(line("Wait...what -- no--way. Price: $31,000,000!! Great Deal. click HERE", region: .body),
                       "$31,000,000!! | 31000000 | Deal | Great | HERE | Price | click | deal | great | here | price | wait | way | what")
        XCTAssertEqual(line(" <abc.def@host.example>", region: .header), "sk:abc.def")
    }

    func testHeaderTokens() {
        let t = tokens("", headers: [
            ("From", " \"Bob Smith\" <bob@example.com>"),
            ("Subject", " ignored subject words"),
            ("X-Mailer", " Microsoft Outlook Express 6.00"),
            ("Received", " from mx.example.net (mx.example.net [192.0.2.7]) by a.b with ESMTP id 12345ABCDE; Thu, 22 Aug 2002 08:17:21 -0400"),
            ("Message-ID", " <abc.def@host.example>"),
        ])
        XCTAssertTrue(t.contains("H*F:U*bob") && t.contains("H*F:D*example.com") && t.contains("H*Ad:N*Smith"), "\(t)")
        XCTAssertFalse(t.contains { $0.contains("ignored") })
        XCTAssertTrue(t.contains("H*x:Outlook") && t.contains("H*UA:Outlook"))
        XCTAssertTrue(t.contains("H*r:192.0.2") && t.contains("H*r:ip*192.0.2.7"), "\(t)")
        XCTAssertTrue(t.contains("H*MI:host") && t.contains("H*M:abc"), "\(t)")
    }

    func testTokenIDIsLow40BitsOfSHA1() {
        // sha1("hello") = aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d → last 5 bytes 2cd9aea9434d? (5 bytes: d9 ae a9 43 4d)
        XCTAssertEqual(BayesTokens.id(of: Array("hello".utf8)), 0xd9aea9434d)
    }
}
