import XCTest
import Foundation
@testable import SMTP
final class ClientTmpBenchTests: XCTestCase {
    func testBench() {
        var msg: [UInt8] = []
        msg.reserveCapacity(50 << 20)
        let line = Array("The quick brown fox jumps over the lazy dog, repeatedly, for a 76-char line.\n".utf8)
        while msg.count < 50 << 20 { msg += line }
        let t0 = Date()
        var stuffer = SMTPDotStuffer()
        var total = 0
        var offset = 0
        while offset < msg.count {
            let end = min(offset + (1 << 20), msg.count)
            var out: [UInt8] = []
            out.reserveCapacity(end - offset + 70000)
            stuffer.encode(msg[offset..<end], into: &out)
            total += out.count
            offset = end
        }
        print("BENCH encode 50MB: \(Date().timeIntervalSince(t0))s out=\(total)")
    }
}
