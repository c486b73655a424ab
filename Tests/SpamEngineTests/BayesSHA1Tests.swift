import XCTest
@testable import SpamEngine

final class BayesSHA1Tests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(SHA1.hexDigest(Array("".utf8)), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(SHA1.hexDigest(Array("abc".utf8)), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(SHA1.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        XCTAssertEqual(SHA1.hexDigest(Array("The quick brown fox jumps over the lazy dog".utf8)),
                       "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12")
        XCTAssertEqual(SHA1.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    func testBlockBoundaries() {
        // 55, 56, 63, 64, 65 bytes straddle the padding edge cases; compare with incremental updates.
        for n in [55, 56, 63, 64, 65, 119, 120, 128] {
            let data = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            var s = SHA1()
            s.update(data[0..<n / 3]); s.update(data[(n / 3)...])
            XCTAssertEqual(s.finalize(), SHA1.hash(data), "length \(n)")
        }
        XCTAssertEqual(SHA1.hexDigest([UInt8](repeating: 0x61, count: 64)), "0098ba824b5c16427bd7a1122a5a442a25ec644d")
    }
}
