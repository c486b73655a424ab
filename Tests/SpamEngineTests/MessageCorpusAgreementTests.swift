import Foundation
import XCTest
import MIME
@testable import SpamEngine

/// Whole-corpus agreement with SpamAssassin's own view. Opt-in (slow, needs the views):
///   perl Tests/SpamEngineTests/Fixtures/sa_view.pl --dir /tmp/moat_saview corpus/ham/* corpus/spam/*
///   MOAT_SA_VIEW_DIR=/tmp/moat_saview swift test --filter MessageCorpusAgreementTests
/// Prints per-section agreement; writes the first mismatches to $MOAT_SA_VIEW_DIR.diff/.
final class MessageCorpusAgreementTests: XCTestCase {
    func testCorpusAgreement() throws {
        guard let dir = ProcessInfo.processInfo.environment["MOAT_SA_VIEW_DIR"] else {
            throw XCTSkip("set MOAT_SA_VIEW_DIR to run")
        }
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/corpus").standardized
        let diffDir = dir + ".diff"
        try? FileManager.default.createDirectory(atPath: diffDir, withIntermediateDirectories: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".txt") }.sorted()
        var total = 0
        var same: [String: Int] = [:]
        var written: [String: Int] = [:]
        var fullMatches: [String] = []
        for name in names {
            let base = String(name.dropLast(4))
            let kind = base.hasPrefix("spam_") ? "spam" : "ham"
            let file = String(base.dropFirst(kind.count + 1))
            guard let bytes = FileManager.default.contents(atPath: corpus.appendingPathComponent("\(kind)/\(file)").path),
                  let expectedData = FileManager.default.contents(atPath: dir + "/" + name) else { continue }
            total += 1
            let expected = MessageSAView.parseFixture(Array(expectedData))
            let got = MessageSAView.view(of: SAMessage(bytes: Array(bytes)))
            var sections: [(String, [String], [String])] = [
                ("body", expected.body, got.body), ("rawbody", expected.rawbody, got.rawbody), ("uri", expected.uris, got.uris),
            ]
            if !expected.mime.isEmpty {
                for (e, g) in zip(expected.mime, got.mime) {
                    sections.append(("M:" + (e.split(separator: "\t").first.map(String.init) ?? "?"), [e], [g]))
                }
            }
            for h in MessageSAView.headerSelectors {
                sections.append(("H:" + h, [expected.headers[h] ?? "<none>"], [got.headers[h] ?? "<none>"]))
            }
            var allSame = true
            defer { if allSame { fullMatches.append(base) } }
            for (sec, e, g) in sections {
                if e == g { same[sec, default: 0] += 1; continue }
                allSame = false
                if written[sec, default: 0] < 40 {
                    written[sec, default: 0] += 1
                    let eSet = Set(e), gSet = Set(g)
                    let text = "--- \(base) \(sec)\nonly SA:\n" + e.filter { !gSet.contains($0) }.prefix(12).joined(separator: "\n")
                        + "\nonly Moat:\n" + g.filter { !eSet.contains($0) }.prefix(12).joined(separator: "\n") + "\n"
                    let path = diffDir + "/" + sec.replacingOccurrences(of: ":", with: "_") + ".txt"
                    if let h = FileHandle(forWritingAtPath: path) { h.seekToEndOfFile(); h.write(Data(text.utf8)); h.closeFile() }
                    else { _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) }
                }
            }
        }
        try? fullMatches.joined(separator: "\n").write(toFile: diffDir + "/fullmatch.txt", atomically: true, encoding: .utf8)
        var report = "messages: \(total), all sections identical: \(fullMatches.count)\n"
        for sec in same.keys.sorted() { report += "\(sec): \(same[sec]!)/\(total) identical\n" }
        print(report)
        try? report.write(toFile: diffDir + "/summary.txt", atomically: true, encoding: .utf8)
    }
}
