@testable import IMAPServer
import XCTest

/// What moving mail teaches (Dovecot antispam / IMAPSieve's rules).
final class JunkLessonTests: XCTestCase {
    func testLessons() {
        XCTAssertEqual(JunkLesson.of(from: "INBOX", to: "Junk"), .spam)
        XCTAssertEqual(JunkLesson.of(from: nil, to: "Junk"), .spam, "APPEND into Junk")
        XCTAssertEqual(JunkLesson.of(from: "Junk", to: "INBOX"), .ham)
        XCTAssertEqual(JunkLesson.of(from: "Junk", to: "Archive.2024"), .ham)
        XCTAssertNil(JunkLesson.of(from: "Junk", to: "Trash"), "emptying Junk into Trash says nothing")
        XCTAssertNil(JunkLesson.of(from: "Junk", to: "Junk"))
        XCTAssertNil(JunkLesson.of(from: "INBOX", to: "Archive"))
        XCTAssertNil(JunkLesson.of(from: nil, to: "INBOX"))
    }
}
