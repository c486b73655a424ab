import XCTest
@testable import Mailstore

final class MaildirNameTests: XCTestCase {
    func testModernFormWithSizes() {
        let name = MaildirName.unique(size: 120, virtualSize: 125, hostname: "mx.test").text
        let parts = name.split(separator: ".", maxSplits: 2)
        XCTAssertEqual(parts.count, 3)
        XCTAssertNotNil(Int(parts[0]))
        XCTAssertTrue(parts[1].hasPrefix("M"))
        XCTAssertTrue(parts[1].contains("P\(getpid())Q"))
        XCTAssertEqual(parts[2], "mx.test,S=120,W=125")
    }

    func testCounterMakesSameMicrosecondNamesDistinct() {
        let names = (0..<10_000).map { _ in MaildirName.unique(size: 1, virtualSize: 1, hostname: "h").text }
        XCTAssertEqual(Set(names).count, names.count)
    }

    func testHostnameEscapes() {
        XCTAssertEqual(MaildirName.escape(hostname: "a/b:c.example"), "a\\057b\\072c.example")
        XCTAssertEqual(MaildirWriter(hostname: "x:y").hostname, "x\\072y")
        XCTAssertFalse(MaildirName.hostname.contains("/"))
        XCTAssertFalse(MaildirName.hostname.contains(":"))
    }

    func testStoredSizeFromOtherProgramsNames() {
        XCTAssertEqual(MaildirName.storedSize(inFileName: "1.M2P3Q4.h,S=99,W=101:2,S"), 99)
        XCTAssertEqual(MaildirName.storedSize(inFileName: "1.M2P3.h,W=5,S=7"), 7)
        XCTAssertNil(MaildirName.storedSize(inFileName: "1234.5678.host"))
        XCTAssertNil(MaildirName.storedSize(inFileName: "1.2.h:2,S"), "S in the flags is not a size")
    }
}
