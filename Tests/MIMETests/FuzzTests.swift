import MoatTestSupport
import XCTest
@testable import MIME

/// Random and mutated inputs: the parser must not crash or hang on any of them.
final class FuzzTests: XCTestCase {
    private static let iterations = 2000

    /// Fragments that steer random input towards interesting parser states.
    private static let tokens: [String] = [
        "\r\n", "\n", "\r\n\r\n", "\n\n", " ", "\t", ":", ";", "=", "\"", "\\", "(", ")", "--", "--b", "--b--",
        "Content-Type: multipart/mixed; boundary=b\r\n", "Content-Type: message/rfc822\r\n",
        "Content-Type: text/plain; charset=koi8-r\r\n", "Content-Type: multipart/digest; boundary=b\r\n",
        "Content-Transfer-Encoding: base64\r\n", "Content-Transfer-Encoding: quoted-printable\r\n",
        "Content-Disposition: attachment; filename*0*=utf-8''%E2%82; filename*1*=%AC\r\n",
        "Subject: =?utf-8?b?", "?=", "=?iso-8859-1?q?=E9_", "=?", "=XX", "=\r\n", "====", "From ",
    ]

    func testRandomAndMutatedInputs() throws {
        var rng = SplitMix64(seed: 0x4D6F_6174)   // "Moat"
        let seeds = Self.seedMessages()
        var slowest: Duration = .zero
        for iteration in 0..<Self.iterations {
            let input: [UInt8]
            switch iteration % 4 {
            case 0: input = Self.randomBytes(&rng)
            case 1: input = Self.randomTokens(&rng)
            default: input = Self.mutate(seeds[rng.below(seeds.count)], &rng)
            }
            let limits = iteration % 5 == 0
                ? MIMELimits(maxDepth: rng.below(8), maxParts: 1 + rng.below(20), maxHeaderBytes: rng.below(300))
                : .default
            let start = ContinuousClock.now
            Self.exercise(MIMEMessage.parse(input, limits: limits))
            slowest = max(slowest, ContinuousClock.now - start)
        }
        print("fuzz: \(Self.iterations) inputs, slowest parse+decode \(slowest)")
    }

    func testDeepNestingOf500Multiparts() {
        var text = ""
        for i in 0..<500 { text += "Content-Type: multipart/mixed; boundary=\"n\(i)\"\r\n\r\n--n\(i)\r\n" }
        text += "Content-Type: text/plain\r\n\r\nbottom\r\n"
        for i in (0..<500).reversed() { text += "--n\(i)--\r\n" }
        let message = MIMEMessage.parse(Array(text.utf8))
        Self.exercise(message)
        XCTAssertTrue(message.defects.contains(.depthLimit))
        XCTAssertEqual(message.leaves.count, 1)
        XCTAssertEqual(message.leaves[0].depth, MIMELimits.default.maxDepth)

        // Same depth through embedded messages, and a limit far above the hard cap.
        let embedded = String(repeating: "Content-Type: message/rfc822\r\n\r\n", count: 500) + "Subject: x\r\n\r\nend"
        let deep = MIMEMessage.parse(Array(embedded.utf8), limits: MIMELimits(maxDepth: 10_000))
        Self.exercise(deep)
        XCTAssertEqual(deep.leaves.first?.depth, MIMELimits.hardMaxDepth)
    }

    /// Everything a consumer might call on a parsed message.
    private static func exercise(_ message: MIMEMessage) {
        _ = message.subject
        _ = message.from
        _ = message.messageID
        for part in message.allParts {
            for field in part.headers.fields { _ = field.decodedValue }
            _ = part.filename
            _ = part.disposition
        }
        for leaf in message.leaves {
            _ = leaf.decodedBody()
            _ = leaf.text()
        }
    }

    private static func randomBytes(_ rng: inout SplitMix64) -> [UInt8] {
        (0..<rng.below(4096)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    private static func randomTokens(_ rng: inout SplitMix64) -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0..<rng.below(300) {
            if rng.below(4) == 0 {
                out += (0..<rng.below(10)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                out += Array(tokens[rng.below(tokens.count)].utf8)
            }
        }
        return out
    }

    private static func mutate(_ seed: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = seed
        for _ in 0..<(1 + rng.below(4)) {
            switch rng.below(6) {
            case 0:   // byte flips
                for _ in 0..<(1 + rng.below(16)) where !bytes.isEmpty {
                    bytes[rng.below(bytes.count)] ^= UInt8(truncatingIfNeeded: 1 << rng.below(8))
                }
            case 1:   // truncation
                bytes = Array(bytes.prefix(rng.below(bytes.count + 1)))
            case 2:   // duplicate a boundary-looking line many times
                let line = Array("\r\n--b\r\n".utf8)
                for _ in 0..<(1 + rng.below(50)) { bytes.insert(contentsOf: line, at: rng.below(bytes.count + 1)) }
            case 3:   // insert a token
                bytes.insert(contentsOf: Array(tokens[rng.below(tokens.count)].utf8), at: rng.below(bytes.count + 1))
            case 4:   // duplicate a slice
                if !bytes.isEmpty {
                    let a = rng.below(bytes.count)
                    let b = min(bytes.count, a + rng.below(2000))
                    bytes.insert(contentsOf: bytes[a..<b], at: rng.below(bytes.count + 1))
                }
            default:  // delete a slice
                if !bytes.isEmpty {
                    let a = rng.below(bytes.count)
                    bytes.removeSubrange(a..<min(bytes.count, a + rng.below(500)))
                }
            }
        }
        return bytes
    }

    /// Multipart messages from the corpus (every 10th file) plus a built-in one, so the
    /// fuzzer also runs where the corpus is absent.
    private static func seedMessages() -> [[UInt8]] {
        var seeds: [[UInt8]] = [Array("""
        From x@y Mon Jan  1 00:00:00 2024\r
        Subject: =?utf-8?q?seed?=\r
        Content-Type: multipart/mixed; boundary=b\r
        \r
        --b\r
        Content-Type: text/plain; charset=iso-8859-1\r
        Content-Transfer-Encoding: quoted-printable\r
        \r
        caf=E9=\r
        \r
        --b\r
        Content-Type: message/rfc822\r
        \r
        Subject: inner\r
        Content-Type: multipart/alternative; boundary=c\r
        \r
        --c\r
        Content-Transfer-Encoding: base64\r
        \r
        aGVsbG8=\r
        --c--\r
        --b--\r
        """.utf8)]
        if let files = try? Corpus.files() {
            for (i, url) in files.enumerated() where i % 10 == 0 {
                if let raw = Corpus.load(url) { seeds.append(raw) }
            }
        }
        return seeds
    }
}
