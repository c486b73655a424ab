import XCTest
@testable import SMTP

final class ClientDotStufferTests: XCTestCase {
    private func encoded(_ text: String) -> String {
        String(decoding: SMTPDotStuffer.encode(Array(text.utf8)), as: UTF8.self)
    }

    func testDotStuffingAndLFNormalisation() {
        XCTAssertEqual(encoded("a\n.b\n"), "a\r\n..b\r\n.\r\n")
        XCTAssertEqual(encoded(".first\r\nx\r\n"), "..first\r\n" + "x\r\n.\r\n")
        XCTAssertEqual(encoded("a\n.\nb\n"), "a\r\n..\r\nb\r\n.\r\n")
        XCTAssertEqual(encoded("a\n..\n"), "a\r\n...\r\n.\r\n")
        XCTAssertEqual(encoded("x.y\n .z\n"), "x.y\r\n .z\r\n.\r\n")
        XCTAssertEqual(encoded("\n\n"), "\r\n\r\n.\r\n")
    }

    func testMessageNotEndingInNewline() {
        XCTAssertEqual(encoded("abc"), "abc\r\n.\r\n")
        XCTAssertEqual(encoded("abc\n."), "abc\r\n..\r\n.\r\n")
        XCTAssertEqual(encoded(""), ".\r\n")
        XCTAssertEqual(encoded("abc\r"), "abc\r\n.\r\n")
    }

    func testBareCRAndOtherBytesKept() {
        XCTAssertEqual(encoded("a\rb\n"), "a\rb\r\n.\r\n")
        XCTAssertEqual(encoded("a\r\r\n"), "a\r\r\n.\r\n")
        XCTAssertEqual(encoded("\r.x\n"), "\r.x\r\n.\r\n")  // a dot after a bare CR is not at a line start
        let binary: [UInt8] = [0, 0xFF, 0x80, 13, 10, 0x2E, 0xC3, 0xA9, 10]
        XCTAssertEqual(SMTPDotStuffer.encode(binary), [0, 0xFF, 0x80, 13, 10, 0x2E, 0x2E, 0xC3, 0xA9, 13, 10, 0x2E, 13, 10])
    }

    func testCRLFInputUnchangedApartFromDots() {
        let text = "Subject: x\r\n\r\nbody\r\n"
        XCTAssertEqual(encoded(text), text + ".\r\n")
    }

    /// Any split of the input gives the same bytes as encoding it whole (CR and LF
    /// straddling pieces, dots at piece starts).
    func testSplitsGiveTheSameBytes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [13, 10, 0x2E, 0x41, 0x20]
        for _ in 0..<200 {
            let input = (0..<Int.random(in: 0..<60, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let whole = SMTPDotStuffer.encode(input)
            var stuffer = SMTPDotStuffer()
            var pieces: [UInt8] = []
            var offset = 0
            while offset < input.count {
                let end = min(input.count, offset + Int.random(in: 1...5, using: &generator))
                stuffer.encode(input[offset..<end], into: &pieces)
                offset = end
            }
            stuffer.finish(into: &pieces)
            XCTAssertEqual(pieces, whole, "input \(input)")
            XCTAssertEqual(whole, Self.reference(input), "input \(input)")
        }
    }

    /// A byte-by-byte statement of the rules, to check the bulk implementation against.
    private static func reference(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var atLineStart = true
        var previous: UInt8?
        for byte in input {
            if atLineStart && byte == 0x2E { out.append(0x2E) }
            if byte == 10 {
                if previous != 13 { out.append(13) }
                out.append(10)
                atLineStart = true
            } else {
                out.append(byte)
                atLineStart = false
            }
            previous = byte
        }
        if !atLineStart { out += previous == 13 ? [10] : [13, 10] }
        return out + [0x2E, 13, 10]
    }
}
