import PCRE
import XCTest
@testable import SpamEngine

/// Byte loops standing in for fixed Perl patterns and conversions, against the originals.
final class EvalHandMatchedPatternTests: XCTestCase {
    typealias S = EvalSupport
    typealias Generator = EvalInterpolatedPatternTests.Generator

    func testUppercaseLineTestsMatchThePerlPatterns() {
        let inner = S.regex("\\S\\s+\\S")
        let base64 = S.regex("^(?:[A-Za-z0-9+\\/=]{60,76} ){2}")
        var g = Generator(state: 8)
        for _ in 0..<20_000 {
            let text = g.bytes(from: " \t\n\u{0B}ab_=+/", maxCount: 6)
            XCTAssertEqual(MIMEEvals.hasInnerSpace(text), S.matches(inner, text), "\(text)")
            // Two tokens of 55-80 base64 bytes, sometimes spoiled.
            var line: [UInt8] = []
            for _ in 0..<2 {
                line += (0..<(55 + g.below(26))).map { _ in Array("aZ9+/=".utf8)[g.below(6)] }
                line += g.below(8) == 0 ? Array("_".utf8) : [0x20]
            }
            XCTAssertEqual(MIMEEvals.startsWithBase64Lines(line), S.matches(base64, line), "\(line)")
        }
    }

    func testAddressGlobsMatchTheirPatterns() {
        var g = Generator(state: 10)
        for _ in 0..<20_000 {
            let glob = String(decoding: g.bytes(from: "*?*@a.b-(\\_C", maxCount: 7), as: UTF8.self)
            let address = EvalSupport.lower(g.bytes(from: "@a.b-(_c\n", maxCount: 8))
            let regex = try? PCRERegex(EvalAddressList.pattern(glob))
            guard let regex else { continue }
            let expected = regex.firstMatch(in: address) != nil
            let ours = AddressGlob.subject(address).map { AddressGlob(glob).matches($0) } ?? false
            XCTAssertEqual(ours, expected, "glob \(glob) address \(address)")
        }
    }

    func testNumbersMatchPerlNumification() {
        var g = Generator(state: 9)
        for _ in 0..<20_000 {
            let text = String(decoding: g.bytes(from: " -+.0123456789x", maxCount: 20), as: UTF8.self)
            let trimmed = text.drop { $0 == " " }
            var end = trimmed.startIndex
            var seenDigit = false, seenDot = false
            for (offset, char) in zip(trimmed.indices, trimmed) {
                if (char == "-" || char == "+") && offset == trimmed.startIndex { end = trimmed.index(after: offset); continue }
                if char.isNumber { seenDigit = true; end = trimmed.index(after: offset); continue }
                if char == "." && !seenDot { seenDot = true; end = trimmed.index(after: offset); continue }
                break
            }
            let expected = seenDigit ? Double(trimmed[..<end]) ?? 0 : 0
            XCTAssertEqual(S.number(text).map { $0.bitPattern }, expected.bitPattern, text)
        }
    }
}
