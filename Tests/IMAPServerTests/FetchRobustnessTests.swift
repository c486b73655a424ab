import IMAP
import IMAPServer
import XCTest

/// Hostile MIME: never a crash, bounded work, and the numbers BODYSTRUCTURE gives agree
/// with the bytes BODY[part] sends.
final class FetchRobustnessTests: XCTestCase {
    /// 5 000 nested message/rfc822 parts: opened 99 deep (Dovecot's cap), the rest is body.
    func testDeepNestingIsCapped() throws {
        let message = String(repeating: "Content-Type: message/rfc822\n\n", count: 5_000) + "Subject: bottom\n\ninnermost\n"
        let sections = MessageSections(FetchSamples.crlf(message))
        var depth = 0
        var structure = sections.bodyStructure(extensible: true)
        while case .singlePart(let part) = structure, case .message(_, let inner, _) = part.kind {
            depth += 1
            structure = inner
        }
        XCTAssertEqual(depth, 99)
        _ = ResponseEncoder().encode(.untagged(.fetch(1, [.bodyStructure(sections.bodyStructure(extensible: true))])))
        XCTAssertEqual(try sections.binary(part: Array(repeating: 1, count: 50)).count,
                       sections.section(SectionSpecifier(part: Array(repeating: 1, count: 50))).count)
    }

    /// 30 000 parts: 10 000 parts with the message (Dovecot's cap); the last one takes the rest.
    func testPartCountIsCapped() {
        let message = "Content-Type: multipart/mixed; boundary=m\n\n" + String(repeating: "--m\n\nx\n", count: 30_000) + "--m--\n"
        let sections = MessageSections(FetchSamples.crlf(message))
        guard case .multipart(let multipart) = sections.bodyStructure(extensible: false) else { return XCTFail("not a multipart") }
        XCTAssertEqual(multipart.parts.count, 9_999)
        XCTAssertEqual(sections.section(SectionSpecifier(part: [9_998])), Array("x".utf8))
        XCTAssertEqual(sections.section(SectionSpecifier(part: [9_999])).count, 3 + 20_001 * 10 + 7)
        XCTAssertEqual(sections.section(SectionSpecifier(part: [10_000])), [])
    }

    /// Unterminated quotes, comments and domain literals, lone backslashes, NULs.
    func testBrokenHeaderSyntax() {
        for header in ["From: \"unterminated", "From: (unterminated", "To: a@[1.2.3", "Cc: \\", "From: a\0b@c\0d",
                       "Content-Type: multipart/mixed; boundary=\"", "Content-Type: text/plain; a*=; *=x; b*9999999999999=y",
                       "From: ,,,,", "To: g:a@b,,;", "From: <@a,@b", "From: <@", "From: <"] {
            let sections = MessageSections(FetchSamples.crlf("Mime-Version: 1.0\n\(header)\n\nbody\n"))
            _ = ResponseEncoder().encode(.untagged(.fetch(1, [.envelope(sections.envelope), .bodyStructure(sections.bodyStructure(extensible: true))])))
        }
    }

    /// Random messages built from MIME's sharp edges: whatever the parse, every part's
    /// octets and lines match the bytes of BODY[part], and BINARY either works or refuses.
    func testRandomMessagesStayConsistent() throws {
        var generator = SeededGenerator(seed: 12)
        let pieces = ["--a\n", "--a--\n", "--b\n", "--ab\n", "Content-Type: multipart/mixed; boundary=a\n",
                      "Content-Type: multipart/digest; boundary=b\n", "Content-Type: message/rfc822\n", "Mime-Version: 1.0\n",
                      "Content-Transfer-Encoding: base64\n", "Content-Transfer-Encoding: quoted-printable\n", "\n", "\r\n",
                      "text line\n", "aGVsbG8=\n", "=41=\n", "From: a@b\n", " folded\n", "\0", "\r", "--", "Subject: s\n"]
        for _ in 0..<400 {
            let count = Int.random(in: 1...40, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let sections = MessageSections(Array(text.utf8))
            let structure = sections.bodyStructure(extensible: true)
            _ = ResponseEncoder().encode(.untagged(.fetch(1, [.envelope(sections.envelope), .bodyStructure(structure)])))
            for (path, part) in FetchSamples.leafParts(structure) {
                let body = sections.section(SectionSpecifier(part: path))
                XCTAssertEqual(part.fields.octets, UInt64(body.count), "\(path) of \(text.debugDescription)")
                switch part.kind {
                case .text(let lines), .message(_, _, let lines):
                    XCTAssertEqual(lines, UInt64(body.filter { $0 == 0x0A }.count), "\(path) of \(text.debugDescription)")
                case .basic:
                    break
                }
                _ = try? sections.binary(part: path)
            }
            XCTAssertEqual(sections.section(SectionSpecifier(kind: .header)).count + sections.section(SectionSpecifier(kind: .text)).count,
                           sections.bytes.count, text.debugDescription)
        }
    }

    /// A 6 MB message with 2 000 parts parses and answers in bounded time.
    func testLargeMessageIsLinear() {
        let part = "--m\nContent-Type: text/plain\n\n" + String(repeating: "0123456789 abcdefghij 0123456789 abcdefghij\n", count: 70) + "\n"
        let message = FetchSamples.crlf("Content-Type: multipart/mixed; boundary=m\n\n" + String(repeating: part, count: 2_000) + "--m--\n")
        let start = Date()
        let sections = MessageSections(message)
        _ = sections.bodyStructure(extensible: true)
        _ = sections.section(SectionSpecifier(part: [2_000]))
        XCTAssertGreaterThan(message.count, 6_000_000)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10, "debug build; release is far faster")
    }
}

/// A small deterministic generator (SplitMix64) so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
