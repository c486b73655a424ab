import XCTest
@testable import SMTP
final class PlaceholderSMTPTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
