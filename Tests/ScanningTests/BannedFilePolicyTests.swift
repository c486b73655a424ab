import Foundation
import XCTest

@testable import Scanning

final class BannedFilePolicyTests: XCTestCase {
    private let policy = try! BannedFilePolicy(patterns: [#"(?i)\.(exe|scr|pif|bat|cmd|com|vbs|js)$"#])
    private let noPatterns = try! BannedFilePolicy(patterns: [])
    private let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0]
    private let pe: [UInt8] = Array("MZ".utf8) + [0x90, 0x00, 0x03] + [UInt8](repeating: 0, count: 59)

    func testDoubleExtension() {
        XCTAssertEqual(policy.check(ScanItem(name: "document.pdf.exe", bytes: [])), [".exe,document.pdf.exe"])
        XCTAssertEqual(noPatterns.check(ScanItem(name: "document.pdf.exe", bytes: [])), ["double extension,document.pdf.exe"])
        // Trailing space defeats the configured `$` pattern, not amavisd-new's double-extension rule.
        XCTAssertEqual(policy.check(ScanItem(name: "report.PDF.EXE ", bytes: [])), ["double extension,report.PDF.EXE "])
        XCTAssertEqual(noPatterns.check(ScanItem(name: "invoice.doc.  scr..", bytes: [])).count, 1)
        XCTAssertEqual(noPatterns.check(ScanItem(name: "setup.exe", bytes: [])), [], "single extension is the pattern's job")
        XCTAssertEqual(noPatterns.check(ScanItem(name: "v1.2.exe", bytes: [])), [], "a version number is not an extension")
    }

    func testConfiguredPatterns() {
        XCTAssertEqual(policy.check(ScanItem(name: "LOVE-LETTER.VBS", bytes: [])), [".VBS,LOVE-LETTER.VBS"])
        XCTAssertEqual(policy.check(ScanItem(name: "photo.jpg", declaredType: "image/jpeg", bytes: jpeg)), [])
        XCTAssertEqual(policy.check(ScanItem(name: "notes.txt", bytes: Array("hi".utf8))), [])
        XCTAssertEqual(policy.check(ScanItem(bytes: Array("a raw message".utf8))), [])
        let defaults = try? BannedFilePolicy(patterns: BannedFilePolicy.defaultPatterns)
        XCTAssertEqual(defaults?.check(ScanItem(name: "Invoice.JS", bytes: [])), [".JS,Invoice.JS"])
    }

    func testInvalidPatternNamesItself() {
        XCTAssertThrowsError(try BannedFilePolicy(patterns: [#"\.(exe"#])) { error in
            guard case .invalidBannedPattern(let pattern, _, let offset)? = error as? ScanError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(pattern, #"\.(exe"#)
            XCTAssertEqual(offset, 6)
        }
    }

    func testNamesInsideZip() {
        let zip = ZipBuilder.zip([("readme.txt", Array("hello".utf8)), ("x.scr", pe)])
        XCTAssertEqual(policy.check(ScanItem(name: "archive.zip", declaredType: "application/zip", bytes: zip)),
                       [".scr,archive.zip | x.scr"])
        let onlyText = ZipBuilder.zip([("a.txt", Array("a".utf8)), ("docs/b.txt", Array("b".utf8))])
        XCTAssertEqual(policy.check(ScanItem(name: "archive.zip", declaredType: "application/zip", bytes: onlyText)), [])
        // Double extensions apply inside archives even with no configured pattern.
        let double = ZipBuilder.zip([("scan.pdf.exe", pe)])
        XCTAssertEqual(noPatterns.check(ScanItem(name: "docs.zip", bytes: double)), ["double extension,docs.zip | scan.pdf.exe"])
    }

    func testNestedStoredZipAndMismatchedHeaders() {
        let inner = ZipBuilder.zip([("payload.js", Array("alert(1)".utf8))])
        let outer = ZipBuilder.zip([("inner.zip", inner), ("ok.txt", [])])
        XCTAssertEqual(policy.check(ScanItem(name: "outer.zip", bytes: outer)), [".js,outer.zip | inner.zip | payload.js"])
        // The local header says x.exe while the central directory says x.txt: both are checked.
        let lying = ZipBuilder.zip([("x.exe", pe)], centralNames: ["x.txt"])
        XCTAssertEqual(policy.check(ScanItem(name: "a.zip", bytes: lying)), [".exe,a.zip | x.exe"])
    }

    func testZipWithPrependedDataAndRealArchive() throws {
        // Self-extractor style: junk before the archive shifts every offset.
        let zip = [UInt8](repeating: 0x20, count: 1000) + ZipBuilder.zip([("evil.bat", Array("@echo".utf8))])
        XCTAssertEqual(policy.check(ScanItem(name: "a.zip", bytes: zip)), [".bat,a.zip | evil.bat"])
        // A deflated archive made by a real zip tool.
        let clamZip = try Array(Data(contentsOf: URL(fileURLWithPath: TestPaths.clamAVTestFiles + "/clam.zip")))
        XCTAssertEqual(policy.check(ScanItem(name: "clam.zip", bytes: clamZip)), [".exe,clam.zip | clam.exe"])
    }

    func testTruncatedAndHostileZipsDoNotTrap() {
        let zip = ZipBuilder.zip([("a.exe", pe), ("b.txt", [])])
        for cut in stride(from: 0, to: zip.count, by: 7) {
            _ = policy.check(ScanItem(name: "t.zip", bytes: Array(zip[..<cut])))
            _ = policy.check(ScanItem(name: "t.zip", bytes: Array(zip[cut...])))
        }
        var corrupt = zip
        for index in stride(from: 10, to: corrupt.count, by: 5) { corrupt[index] = 0xFF }
        _ = policy.check(ScanItem(name: "t.zip", bytes: corrupt))
    }

    func testExecutableUnderANonExecutableLabel() {
        XCTAssertEqual(policy.check(ScanItem(name: "photo.jpg", declaredType: "image/jpeg", bytes: pe)),
                       ["type mismatch: declared image/jpeg, content is executable"])
        XCTAssertEqual(policy.check(ScanItem(name: "invoice.pdf", declaredType: "application/octet-stream", bytes: pe)),
                       ["type mismatch: declared .pdf (invoice.pdf), content is executable"])
        let elf: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0]
        XCTAssertEqual(policy.check(ScanItem(name: "song.mp3", declaredType: "audio/mpeg; name=song.mp3", bytes: elf)),
                       ["type mismatch: declared audio/mpeg, content is executable"])
        let script = Array("#!/bin/sh\nrm -rf ~\n".utf8)
        XCTAssertEqual(policy.check(ScanItem(name: "cv.pdf", declaredType: "application/pdf", bytes: script)).count, 1)
        // Honest labels and labels that claim nothing pass.
        XCTAssertEqual(noPatterns.check(ScanItem(name: "tool.exe", declaredType: "application/x-msdownload", bytes: pe)), [])
        XCTAssertEqual(noPatterns.check(ScanItem(name: "blob", declaredType: "application/octet-stream", bytes: pe)), [])
        XCTAssertEqual(noPatterns.check(ScanItem(name: "deploy.sh", declaredType: "text/plain", bytes: script)), [])
        XCTAssertEqual(noPatterns.check(ScanItem(name: "notes.txt", declaredType: "text/plain", bytes: script)), [])
        XCTAssertEqual(noPatterns.check(ScanItem(name: "notes.txt", declaredType: "text/plain", bytes: Array("#!important".utf8))), [])
        XCTAssertEqual(noPatterns.check(ScanItem(name: "rotate", declaredType: "application/x-java-applet", bytes: script)), [])
    }
}

/// Names the virus scanner unpacked (`ScanResult.containedFiles`), beside the ZIP reader's.
final class BannedContainedFilesTests: XCTestCase {
    private let policy = try! BannedFilePolicy(patterns: [#"(?i)\.(exe|scr)$"#], maxDepth: 3)

    private func contents(_ files: [ContainedFile], undecipherable: [Undecipherable] = []) -> ScanResult {
        ScanResult(containedFiles: files, undecipherable: undecipherable)
    }

    func testNamesFromEveryFormatWithTheirPath() {
        let item = ScanItem(name: "bundle.tar.gz", bytes: [0x1F, 0x8B])
        let files = [
            ContainedFile(path: ["bundle.tar"], type: "CL_TYPE_POSIX_TAR", size: 10240),
            ContainedFile(path: ["bundle.tar", "payload.exe"], type: "CL_TYPE_TEXT_ASCII", size: 100),
            ContainedFile(path: ["bundle.tar", nil, "x.scr"], type: "CL_TYPE_TEXT_ASCII", size: 100),
        ]
        XCTAssertEqual(policy.check(item, contents: contents(files)),
                       [".exe,bundle.tar.gz | bundle.tar | payload.exe", ".scr,bundle.tar.gz | bundle.tar | (unnamed) | x.scr"])
    }

    func testZipReaderAndLibclamavAgreeingGiveOneReason() {
        let zip = ZipBuilder.zip([("x.exe", Array("text".utf8))])
        let files = [ContainedFile(path: ["x.exe"], type: "CL_TYPE_TEXT_ASCII", size: 4)]
        XCTAssertEqual(policy.check(ScanItem(name: "a.zip", bytes: zip), contents: contents(files)), [".exe,a.zip | x.exe"])
    }

    func testDeeperThanMaxDepthIsNotNameCheckedButSaidSo() {
        let deep = ContainedFile(path: ["1.zip", "2.zip", "3.zip", "deep.exe"], type: "CL_TYPE_TEXT_ASCII", size: 9)
        let item = ScanItem(name: "0.zip", bytes: [])
        XCTAssertEqual(policy.check(item, contents: contents([deep])), [])
        XCTAssertEqual(policy.undecipherable(item, contents: contents([deep])),
                       ["undecipherable: deeper than max_depth 3, 0.zip | 1.zip | 2.zip | 3.zip"])
    }

    func testExecutableInsideUnderADocumentName() {
        let files = [ContainedFile(path: ["scan.pdf"], type: "CL_TYPE_MSEXE", size: 544),
                     ContainedFile(path: ["tool.dll"], type: "CL_TYPE_MSEXE", size: 544)]
        XCTAssertEqual(policy.check(ScanItem(name: "docs.zip", bytes: []), contents: contents(files)),
                       ["type mismatch: declared .pdf (docs.zip | scan.pdf), content is executable"])
    }

    func testUndecipherableNotesAndClamdsSilence() {
        let item = ScanItem(name: "secret.zip", bytes: [])
        let notes = policy.undecipherable(item, contents: contents([], undecipherable: [
            Undecipherable(reason: "Heuristics.Encrypted.Zip"),
            Undecipherable(reason: "CL_TYPE_RAR not unpacked", path: ["in.rar"]),
        ]))
        XCTAssertEqual(notes, ["undecipherable: Heuristics.Encrypted.Zip, secret.zip",
                               "undecipherable: CL_TYPE_RAR not unpacked, secret.zip | in.rar"])
        XCTAssertEqual(policy.undecipherable(item, contents: nil), [], "clamd reports nothing to note")
    }
}
