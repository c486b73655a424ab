import XCTest
import PCRE

final class PCRERegexTests: XCTestCase {
    func testMatchRangeAndCaseless() throws {
        let regex = try PCRERegex(#"(?i)\.(exe|scr)$"#)
        XCTAssertEqual(regex.firstMatch(in: Array("report.PDF.EXE".utf8)), 10..<14)
        XCTAssertTrue(regex.matches("x.scr"))
        XCTAssertFalse(regex.matches("x.scr.txt"))
    }

    func testJITIsUsedWhereAvailable() throws {
        #if arch(x86_64) || arch(arm64)
        XCTAssertTrue(try PCRERegex("a+b").isJITCompiled)
        #endif
    }

    func testOptionsOutsidePattern() throws {
        let regex = try PCRERegex("^viagra", options: [.caseless, .multiline])
        XCTAssertTrue(regex.matches("hello\nVIAGRA now"))
        XCTAssertFalse(try PCRERegex("^viagra").matches("hello\nVIAGRA now"))
    }

    func testCompileErrorCarriesOffsetAndMessage() {
        XCTAssertThrowsError(try PCRERegex("abc(def")) { error in
            guard let error = error as? PCREError else { return XCTFail("wrong error type \(error)") }
            XCTAssertEqual(error.kind, .compile)
            XCTAssertEqual(error.offset, 7)
            XCTAssertTrue(error.message.contains("missing closing parenthesis"), error.message)
            XCTAssertTrue(error.description.contains("abc(def"))
        }
    }

    func testBytesThatAreNotUTF8AndEmptySubject() throws {
        let regex = try PCRERegex(#"\xff\xfe"#)
        XCTAssertEqual(regex.firstMatch(in: [0x41, 0xFF, 0xFE, 0x42]), 1..<3)
        XCTAssertNil(regex.firstMatch(in: []))
        XCTAssertTrue(try PCRERegex("^$").matches([]))
        let utf = try PCRERegex("é", options: .utf)
        XCTAssertEqual(utf.firstMatch(in: [0xFF] + Array("café".utf8)), 4..<6)
    }

    func testStartOffsetAndCaptures() throws {
        let regex = try PCRERegex("(a)(x)?b")
        let subject = Array("ab ab".utf8)
        XCTAssertEqual(regex.firstMatch(in: subject, from: 1), 3..<5)
        let groups = try subject.withUnsafeBufferPointer { try regex.captures(in: $0) }
        XCTAssertEqual(groups?.count, 3)
        XCTAssertEqual(groups?[0], 0..<2)
        XCTAssertEqual(groups?[1], 0..<1)
        XCTAssertEqual(groups?[2] ?? nil, nil)
    }

    func testCatastrophicBacktrackingIsBoundedNotHung() throws {
        let regex = try PCRERegex("(a+)+$")
        let subject = [UInt8](repeating: UInt8(ascii: "a"), count: 40) + [UInt8(ascii: "!")]
        // Either the JIT finishes quickly or PCRE2's match limit stops it; never a hang.
        XCTAssertNil(regex.firstMatch(in: subject))
    }

    func testConcurrentUse() async throws {
        let regex = try PCRERegex(#"\bspam\b"#)
        let hits = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask { regex.matches(index % 2 == 0 ? "this is spam ok" : "spammer") }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        XCTAssertEqual(hits, 32)
    }
}
