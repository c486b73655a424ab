import XCTest
final class PlaceholderDNSTests: XCTestCase { func testBuilds() {} }
