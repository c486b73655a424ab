import XCTest
import PCRE
@testable import SpamEngine

final class PrefilterRelaxationTests: XCTestCase {
    func testLoosensLargeCountedRepeatsOnly() {
        XCTAssertEqual(PrefilterRelaxation.relax(#"a\w{0,2048}b"#), #"a\w*b"#)
        XCTAssertEqual(PrefilterRelaxation.relax(#"(?:x ){2,8}y{1,}z{3}"#), #"(?:x )+y+z+"#)
        XCTAssertEqual(PrefilterRelaxation.relax(#"ab{1}c?"#), #"ab{1}c?"#)
        XCTAssertEqual(PrefilterRelaxation.relax(#"\d{1,3}?"#), #"\d+?"#)
    }

    func testLeavesLiteralBracesEscapesAndClassesAlone() {
        for unchanged in [#"\x{41}{1}"#, #"[{0,9}]"#, #"[]{2,3}]"#, #"a\{2,5\}"#, #"x{,5}"#, #"{abc}"#, #"\p{L}"#] {
            XCTAssertEqual(PrefilterRelaxation.relax(unchanged), unchanged, unchanged)
        }
    }

    /// The loose form must match every text the exact one matches.
    func testLooseFormIsASuperset() throws {
        let patterns = [#"^(?:\d{1,3}[.)]\s{0,4}\w{2,20}\s){2,}"#, #"your?\s(?:\w{1,15}\s){0,10}password"#, #"a{3,5}b"#]
        let texts = ["1. name 2) addr ", "your new email password", "aaab", "aaaab", "ab", "you  x password"]
        for pattern in patterns {
            let exact = try PCRERegex(pattern)
            let loose = try PCRERegex(PrefilterRelaxation.relax(pattern))
            for text in texts {
                let bytes = Array(text.utf8)
                let e = bytes.withUnsafeBufferPointer { exact.firstMatch(in: $0, scratch: PCREScratch()) != nil }
                let l = bytes.withUnsafeBufferPointer { loose.firstMatch(in: $0, scratch: PCREScratch()) != nil }
                if e { XCTAssertTrue(l, "\(pattern) on \(text)") }
            }
        }
    }
}
