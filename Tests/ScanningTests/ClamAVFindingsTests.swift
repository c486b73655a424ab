import XCTest

@testable import Scanning

/// The decisions made from libclamav's verdict and inspected files, without libclamav.
final class ClamAVFindingsTests: XCTestCase {
    private let findings = ClamAVFindings(maxFileSize: 1000, options: ClamAVScanOptions())
    private func file(_ level: Int, _ path: [String?], _ type: String, size: Int = 10) -> ClamAVInspectedFile {
        ClamAVInspectedFile(level: level, path: path, type: type, size: size)
    }

    func testEncryptedArchiveIsUndecipherableNotAVirus() {
        let files = [file(0, [], "CL_TYPE_ZIP"), file(1, ["secret.zip"], "CL_TYPE_ZIP"), file(1, ["a.txt"], "CL_TYPE_TEXT_ASCII")]
        let result = findings.result(virusName: "Heuristics.Encrypted.Zip", files: files)
        XCTAssertEqual(result.virusNames, [])
        XCTAssertEqual(result.undecipherable, [Undecipherable(reason: "Heuristics.Encrypted.Zip", path: ["secret.zip"])])
        XCTAssertEqual(result.containedFiles?.count, 2)
    }

    func testAlertEncryptedMakesItAVirusAgain() {
        let alerting = ClamAVFindings(maxFileSize: 1000, options: ClamAVScanOptions(alertEncrypted: true))
        let result = alerting.result(virusName: "Heuristics.Encrypted.Zip", files: [file(0, [], "CL_TYPE_ZIP")])
        XCTAssertEqual(result.virusNames, ["Heuristics.Encrypted.Zip"])
        XCTAssertEqual(result.undecipherable, [])
    }

    func testLimitWithEveryArchiveUnpackedIsOnTheItem() {
        let files = [file(0, [], "CL_TYPE_ZIP"), file(1, ["a.bin"], "CL_TYPE_BINARY_DATA")]
        let result = findings.result(virusName: "Heuristics.Limits.Exceeded.MaxFiles", files: files)
        XCTAssertEqual(result.undecipherable, [Undecipherable(reason: "Heuristics.Limits.Exceeded.MaxFiles")])
    }

    func testMemberTrimmedToMaxFileSize() {
        let files = [file(0, [], "CL_TYPE_ZIP"), file(1, ["zeros.bin"], "CL_TYPE_BINARY_DATA", size: 1000)]
        XCTAssertEqual(findings.result(virusName: nil, files: files).undecipherable,
                       [Undecipherable(reason: "exceeds MaxFileSize (1000 bytes)", path: ["zeros.bin"])])
    }

    func testARealVirusWinsAndNeedsNoNotes() {
        let files = [file(0, [], "CL_TYPE_ZIP"), file(1, ["big"], "CL_TYPE_BINARY_DATA", size: 5000)]
        let result = findings.result(virusName: "Eicar", files: files)
        XCTAssertEqual(result.virusNames, ["Eicar"])
        XCTAssertEqual(result.undecipherable, [])
    }

    func testEmptyLookingArchiveWithoutAHeuristicIsNotANote() {
        // libclamav skips members of 5 bytes or less: a zip of two short notes has no children.
        XCTAssertEqual(findings.result(virusName: nil, files: [file(0, [], "CL_TYPE_ZIP")]).undecipherable, [])
    }

    func testAZipBombListsAtMostTenPlaces() {
        let parts = (0..<40).map { file(1, ["part\($0).zip"], "CL_TYPE_ZIP") }
        let result = findings.result(virusName: "Heuristics.Limits.Exceeded.MaxScanSize", files: [file(0, [], "CL_TYPE_ZIP")] + parts)
        XCTAssertEqual(result.undecipherable.count, ClamAVFindings.maxListed + 1)
        XCTAssertEqual(result.undecipherable.last, Undecipherable(reason: "30 more"))
    }

    func testTypesThisBuildCannotUnpack() {
        let noRAR = ClamAVFindings(maxFileSize: 1000, options: ClamAVScanOptions(), typesNotUnpacked: ["CL_TYPE_RAR"])
        let files = [file(0, [], "CL_TYPE_ZIP"), file(1, ["inner.rar"], "CL_TYPE_RAR")]
        XCTAssertEqual(noRAR.result(virusName: nil, files: files).undecipherable,
                       [Undecipherable(reason: "CL_TYPE_RAR not unpacked", path: ["inner.rar"])])
    }
}
