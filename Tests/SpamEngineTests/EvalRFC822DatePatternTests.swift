import MIME
import PCRE
import XCTest
@testable import SpamEngine

/// The hand-matched date patterns against the regexes `parse_rfc822_date` uses, on date
/// texts assembled from the pieces they look for (deterministic).
final class EvalRFC822DatePatternTests: XCTestCase {
    typealias P = RFC822DatePatterns

    static let month = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    static let pieces = [" ", " ", "1", "12", "2024", "99", "123", "12345", "jan", "Feb", "DEC", "Foo", ":", "10:", "59",
                         "7:05", ":33", "+0100", "-0500", "+01000", "GMT", "EST", "EST-DST", "UTCX", "CEST", "z", "_", "Mon"]

    private func agree(_ pattern: String, _ options: PCREOptions, _ ours: ([UInt8]) -> P.Match?, seed: UInt64) {
        let regex = EvalSupport.regex(pattern, options)
        var g = EvalInterpolatedPatternTests.Generator(state: seed)
        var matched = 0
        for _ in 0..<30_000 {
            // Date-like layouts (day month year clock zone; ctime's month day clock year),
            // each field sometimes replaced by a random piece.
            let days = ["1", "31", "123", "x"], months = ["Jan", "dec", "Foo"], years = ["2024", "99", "123", "12345"]
            let clocks = ["10:00:00", "7:05", "10:00:0", "123:45", "1:2"], zones = ["+0100", "GMT", "EST-DST", "UTCX", "-05000"]
            let layout = g.below(3) == 0
                ? [months, days, clocks, years, zones] : [days, months, years, clocks, zones]
            var text: [UInt8] = [0x20]
            for field in layout {
                let piece = g.below(6) == 0 ? Self.pieces[g.below(Self.pieces.count)] : field[g.below(field.count)]
                text += Array(piece.utf8) + (g.below(8) == 0 ? [] : [0x20])
            }
            text.append(0x20)
            text = UTF8Text.collapseSpace(text, unicode: false)
            let expected = text.withUnsafeBufferPointer { try? regex.captures(in: $0) } ?? nil
            let found = ours(text)
            XCTAssertEqual(found?.whole, expected?[0], "\(pattern) on \(String(decoding: text, as: UTF8.self))")
            if let found, let expected {
                XCTAssertEqual(found.groups.map { $0.map { $0.startIndex..<$0.endIndex } }, Array(expected.dropFirst()),
                               "\(pattern) on \(String(decoding: text, as: UTF8.self))")
                matched += 1
            }
        }
        XCTAssertGreaterThan(matched, 100, pattern)
    }

    func testDayMonthYear() {
        agree(" (\\d+) \(Self.month) (\\d{4}) ", [.caseless], { P.dayMonthYear($0) }, seed: 11)
        agree(" (\\d+) \(Self.month) (\\d{2,3}) ", [.caseless], { P.dayMonthYear($0, yearDigits: 2...3) }, seed: 12)
    }

    func testCtime() {
        agree(" \(Self.month) +(\\d+) \\d+:\\d+:\\d+ (\\d{4}) ", [.caseless], P.ctime, seed: 13)
    }

    func testClockAndZones() {
        agree(" (\\d?\\d):(\\d\\d)(:(\\d\\d))? ", [], P.clock, seed: 14)
        agree(" ([-+]\\d{4}) ", [], P.numericZone, seed: 15)
        agree("\\b([A-Z]{2,4}(?:-DST)?)\\b", [], P.namedZone, seed: 16)
    }
}
