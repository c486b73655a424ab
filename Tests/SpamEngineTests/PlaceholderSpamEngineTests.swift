import XCTest
@testable import SpamEngine
final class PlaceholderSpamEngineTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
