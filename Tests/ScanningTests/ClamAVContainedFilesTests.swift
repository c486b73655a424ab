import Foundation
import XCTest

@testable import Scanning

/// libclamav's file-inspection callback as the source of archive member names, with the
/// real engine and Moat's test signatures (Rules/clamav).
final class ClamAVContainedFilesTests: XCTestCase {
    private static let harmless = Array("harmless text under a banned name\n".utf8)

    private func engine() throws -> ClamAVEngine {
        try ClamAVEngine(databases: [TestPaths.clamAVRules], scanThreads: 1, logger: TestData.logger)
    }

    private func fourLevelsOfStoredZips() -> [UInt8] {
        var data = ZipBuilder.zip([("deep.exe", Self.harmless)])
        for level in [3, 2, 1] { data = ZipBuilder.zip([("level\(level).zip", data)]) }
        return data
    }

    func testEveryLevelIsReportedWithItsPath() async throws {
        let result = try await engine().inspect(fourLevelsOfStoredZips(), name: "level0.zip")
        XCTAssertEqual(result.virusNames, [])
        XCTAssertEqual(result.undecipherable, [])
        XCTAssertEqual(
            result.containedFiles?.map(\.path),
            [["level1.zip"], ["level1.zip", "level2.zip"], ["level1.zip", "level2.zip", "level3.zip"],
             ["level1.zip", "level2.zip", "level3.zip", "deep.exe"]])
        XCTAssertEqual(result.containedFiles?.first?.type, "CL_TYPE_ZIP")
    }

    /// libclamav's clean cache skips a file (and so its members) it has seen clean before:
    /// the second mail with the same archive would have listed nothing.
    func testTheSameArchiveTwiceIsListedTwice() async throws {
        let engine = try engine()
        let first = try await engine.inspect(fourLevelsOfStoredZips(), name: "a.zip")
        let second = try await engine.inspect(fourLevelsOfStoredZips(), name: "a.zip")
        XCTAssertEqual(first.containedFiles?.count, 4)
        XCTAssertEqual(second.containedFiles, first.containedFiles)
    }

    func testSevenZipMemberComesWithTheVirus() async throws {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: TestPaths.clamAVTestFiles + "/clam.7z")))
        let result = try await engine().inspect(bytes, name: "clam.7z")
        XCTAssertTrue(result.virusNames.first?.hasPrefix("Moat.Test.ClamAV") == true, "\(result)")
        XCTAssertEqual(result.containedFiles?.first?.path, ["clam.exe"])
        XCTAssertEqual(result.containedFiles?.first?.type, "CL_TYPE_MSEXE")
    }

    /// Central directory `x.txt`, local header `x.exe` and the other way round: libclamav
    /// names a member by its local header only, so Moat's ZIP reader stays in the check.
    func testMismatchedZipHeadersNeedOurOwnReader() async throws {
        let engine = try engine()
        let policy = try BannedFilePolicy(patterns: [#"(?i)\.exe$"#])
        let centralSaysExe = ZipBuilder.zip([("x.txt", Self.harmless)], centralNames: ["x.exe"])
        let result = try await engine.inspect(centralSaysExe, name: "a.zip")
        XCTAssertEqual(result.containedFiles?.map(\.name), ["x.txt"], "libclamav reports the local name only")
        let item = ScanItem(name: "a.zip", bytes: centralSaysExe)
        XCTAssertEqual(policy.check(item, contents: result), [".exe,a.zip | x.exe"])
    }

    func testRARThisLibclamavCannotOpenIsUndecipherable() async throws {
        let engine = try engine()
        let result = try await engine.inspect(ClamAVFormatSupport.rarSample, name: "files.rar")
        if result.containedFiles?.isEmpty == false {
            throw XCTSkip("this libclamav unpacks RAR: \(result)")
        }
        XCTAssertEqual(result.undecipherable, [Undecipherable(reason: "CL_TYPE_RAR not unpacked")])
    }

    func testDecompressedNames() {
        XCTAssertEqual(DecompressedName.of("setup.exe.gz", type: "CL_TYPE_GZ"), "setup.exe")
        XCTAssertEqual(DecompressedName.of("Bundle.TGZ", type: "CL_TYPE_GZ"), "Bundle.tar")
        XCTAssertEqual(DecompressedName.of("x.tar.bz2", type: "CL_TYPE_BZ"), "x.tar")
        XCTAssertEqual(DecompressedName.of("x.txz", type: "CL_TYPE_XZ"), "x.tar")
        XCTAssertNil(DecompressedName.of(".gz", type: "CL_TYPE_GZ"), "nothing left to name")
        XCTAssertNil(DecompressedName.of("photo.jpg", type: "CL_TYPE_GZ"))
        XCTAssertNil(DecompressedName.of("a.gz", type: "CL_TYPE_ZIP"), "zip members have their own names")
    }
}
