import Foundation
import XCTest
@testable import SpamEngine

final class MessageDebugTests: XCTestCase {
    func testDebugDump() throws {
        guard let path = ProcessInfo.processInfo.environment["MOAT_DEBUG_MSG"],
              let data = FileManager.default.contents(atPath: path) else { throw XCTSkip("MOAT_DEBUG_MSG unset") }
        let m = SAMessage(bytes: Array(data))
        for p in m.bodyParagraphs { print("B\t" + MessageSAView.escape(p)) }
        for p in m.rawbodyLines { print("R\t" + MessageSAView.escape(p)) }
        for u in m.uris { print("U\t" + MessageSAView.escape(u)) }
        for h in MessageSAView.headerSelectors { print("H\t\(h)\t" + (m.header(MessageSAView.selector(h)).map(MessageSAView.escape) ?? "<undef>")) }
    }
}
