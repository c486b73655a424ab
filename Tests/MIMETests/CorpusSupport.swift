import Foundation
import XCTest

/// The shared SpamAssassin corpus, located relative to this file:
/// `<repo>/Tests/MIMETests/x.swift` → `<repo>/../shared/corpus`.
enum Corpus {
    static var root: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("shared/corpus")
    }

    /// Message files under `ham/` and `spam/`, sorted; throws XCTSkip when absent.
    static func files() throws -> [URL] {
        var result: [URL] = []
        for sub in ["ham", "spam"] {
            let dir = root.appendingPathComponent(sub)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
            result += names.sorted().filter { !$0.hasPrefix(".") }.map { dir.appendingPathComponent($0) }
        }
        if result.isEmpty { throw XCTSkip("corpus not found at \(root.path)") }
        return result
    }

    static func load(_ url: URL) -> [UInt8]? {
        (try? Data(contentsOf: url)).map { [UInt8]($0) }
    }
}
