import XCTest
@testable import Scanning

/// `ClamAVFormatSupport.rarSample` read as RAR 4 without libclamav: on a libclamav with
/// no unrar a broken sample and a missing unrar look the same (no member comes back), so
/// the sample's structure is checked on its own.
final class ClamAVFormatSupportTests: XCTestCase {
    private let sample = ClamAVFormatSupport.rarSample

    private func le16(_ at: Int) -> Int { Int(sample[at]) | Int(sample[at + 1]) << 8 }
    private func le32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(sample[at + $1]) << (8 * $1) } }

    /// CRC-32 (IEEE 802.3, reflected, as zip and RAR use it).
    private func crc32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// A block header at `at`: its type and size, after checking HEAD_CRC, the low 16 bits
    /// of the CRC-32 of the header from HEAD_TYPE on.
    private func block(at: Int, file: StaticString = #filePath, line: UInt = #line) -> (type: UInt8, size: Int) {
        let size = le16(at + 5)
        XCTAssertLessThanOrEqual(at + size, sample.count, "block at \(at) runs past the end", file: file, line: line)
        XCTAssertEqual(le16(at), Int(crc32(sample[(at + 2)..<(at + size)]) & 0xFFFF),
                       "HEAD_CRC of the block at \(at)", file: file, line: line)
        return (sample[at + 2], size)
    }

    func testRARSampleIsAValidRAR4ArchiveWithOneStoredMember() {
        XCTAssertEqual(Array(sample.prefix(7)), [0x52, 0x61, 0x72, 0x21, 0x1A, 0x07, 0x00], "Rar! marker")
        var at = 7

        let main = block(at: at)
        XCTAssertEqual(main.type, 0x73, "main header")
        at += main.size

        let fileHeader = block(at: at)
        XCTAssertEqual(fileHeader.type, 0x74, "file header")
        let packSize = Int(le32(at + 7))
        XCTAssertEqual(le32(at + 11), UInt32(packSize), "stored: unpacked size equals packed size")
        XCTAssertEqual(sample[at + 25], 0x30, "method 0x30 (store)")
        let nameSize = le16(at + 26)
        XCTAssertEqual(fileHeader.size, 32 + nameSize, "no optional fields")
        XCTAssertEqual(String(decoding: sample[(at + 32)..<(at + 32 + nameSize)], as: UTF8.self), "probe.txt")
        let fileCRC = le32(at + 16)
        at += fileHeader.size

        let data = sample[at..<(at + packSize)]
        XCTAssertEqual(String(decoding: data, as: UTF8.self), "moat rar probe\n")
        XCTAssertEqual(crc32(data), fileCRC, "FILE_CRC is the CRC-32 of the stored data")
        at += packSize

        let end = block(at: at)
        XCTAssertEqual(end.type, 0x7B, "end of archive")
        XCTAssertEqual(at + end.size, sample.count, "nothing after the end block")
    }
}
