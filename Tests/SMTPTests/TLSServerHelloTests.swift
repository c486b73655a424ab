import NetworkService
import XCTest
@testable import SMTP

final class TLSServerHelloTests: XCTestCase {
    /// A ServerHello record as a TLS 1.3 server sends it (RFC 8446 §4.1.3), split anywhere.
    private func serverHello(cipher: [UInt8], supportedVersion: [UInt8]?) -> [UInt8] {
        var body: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 0xAB, count: 32) + [32] + [UInt8](repeating: 7, count: 32)
        body += cipher + [0]
        var extensions: [UInt8] = [0x00, 0x33, 0x00, 0x02, 0x00, 0x1D] // key_share stub
        if let supportedVersion { extensions += [0x00, 0x2B, 0x00, 0x02] + supportedVersion }
        body += [UInt8(extensions.count >> 8), UInt8(extensions.count & 0xFF)] + extensions
        let handshake: [UInt8] = [2, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
        return [22, 0x03, 0x03, UInt8(handshake.count >> 8), UInt8(handshake.count & 0xFF)] + handshake
    }

    func testTLS13FromSupportedVersions() {
        var parser = TLSServerHello()
        let record = serverHello(cipher: [0x13, 0x02], supportedVersion: [0x03, 0x04])
        for chunk in stride(from: 0, to: record.count, by: 7) {
            parser.feed(record[chunk..<min(record.count, chunk + 7)])
        }
        XCTAssertEqual(parser.info, TLSInfo(version: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", bits: 256))
        XCTAssertEqual(parser.info?.receivedClause, "using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)")
    }

    func testTLS12FromLegacyVersion() {
        var parser = TLSServerHello()
        parser.feed(serverHello(cipher: [0xC0, 0x2F], supportedVersion: nil))
        XCTAssertEqual(parser.info, TLSInfo(version: "TLSv1.2", cipher: "ECDHE-RSA-AES128-GCM-SHA256", bits: 128))
    }

    func testUnknownSuiteIsShownInHexAndGarbageGivesUp() {
        var parser = TLSServerHello()
        parser.feed(serverHello(cipher: [0x12, 0x34], supportedVersion: [0x03, 0x04]))
        XCTAssertEqual(parser.info?.cipher, "0x1234")
        var garbage = TLSServerHello()
        garbage.feed(Array("220 hello\r\n".utf8))
        XCTAssertTrue(garbage.failed)
        XCTAssertNil(garbage.info)
    }
}
