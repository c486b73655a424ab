import XCTest
@testable import MoatCore
final class PlaceholderMoatCoreTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
