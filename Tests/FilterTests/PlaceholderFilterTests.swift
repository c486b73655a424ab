import XCTest
@testable import Filter
final class PlaceholderFilterTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
