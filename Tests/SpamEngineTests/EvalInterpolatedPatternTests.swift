import PCRE
import XCTest
@testable import SpamEngine

/// The hand-matched HeaderEval patterns against the Perl patterns they replace, compiled
/// with PCRE2 as before, over many small generated subjects (deterministic).
final class EvalInterpolatedPatternTests: XCTestCase {
    typealias S = EvalSupport

    /// Knuth's MMIX linear congruential generator: fixed seeds, so a failure reproduces.
    struct Generator {
        var state: UInt64
        mutating func below(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        mutating func bytes(from alphabet: String, maxCount: Int) -> [UInt8] {
            let letters = Array(alphabet.utf8)
            return (0..<below(maxCount + 1)).map { _ in letters[below(letters.count)] }
        }
        /// `text` with `piece` inserted at a random place half of the time.
        mutating func seeded(_ text: [UInt8], with piece: [UInt8]) -> [UInt8] {
            guard below(2) == 0 else { return text }
            var out = text
            out.insert(contentsOf: piece, at: below(text.count + 1))
            return out
        }
    }

    /// Subject bytes: the pattern's letters, blanks, punctuation, a newline and UTF-8.
    static let alphabet = "reEfFwWR:, \t\n!-?;a_.@xé"

    /// Runs `cases` generated cases; each returns (ours, PCRE's, what was matched).
    private func agree(seed: UInt64, cases: Int, _ make: (inout Generator) -> (Bool, Bool, String)) {
        var g = Generator(state: seed)
        for _ in 0..<cases {
            let (ours, perl, note) = make(&g)
            XCTAssertEqual(ours, perl, note)
        }
    }

    func testLocalPartInSubjectMatchesThePerlPattern() {
        agree(seed: 1, cases: 40_000) { g in
            let user = g.bytes(from: "aAx_.-!", maxCount: 3)
            let swapped = g.below(2) == 0 ? user : user.map { $0 ^ 0x20 }
            let subject = g.seeded(g.bytes(from: Self.alphabet, maxCount: 10), with: swapped)
            let q = S.quoteRegexInterpolation(user)
            let pattern = "^(?:(?:re|fw):\\s*(?:\\w+\\s+)?" + q + "$|(?-i:" + q + ")\\s*[,:;!?-](?:$|\\s)|"
                + q + "$|,\\s*" + q + "[,:;!?-]$)"
            return (InterpolatedPatterns.localPartInSubject(user, in: subject),
                    S.matches(S.regex(pattern, [.caseless]), subject), "user \(user) subject \(subject)")
        }
    }

    func testWordBoundedMatchesThePerlPattern() {
        agree(seed: 2, cases: 20_000) { g in
            let address = g.bytes(from: "aA@.x_-", maxCount: 4)
            let subject = g.seeded(g.bytes(from: Self.alphabet, maxCount: 10), with: address)
            let pattern = "\\b" + S.quoteRegexInterpolation(address) + "\\b"
            return (InterpolatedPatterns.wordBounded(address, in: subject),
                    S.matches(S.regex(pattern, [.caseless]), subject), "address \(address) subject \(subject)")
        }
    }

    func testDomainDotUserMatchesThePerlPattern() {
        agree(seed: 3, cases: 20_000) { g in
            let domain = g.bytes(from: "ab.", maxCount: 3)
            let user = g.bytes(from: "aB_-", maxCount: 3)
            let glue: [UInt8] = [[0x2E], [0x0A], [0x2D]][g.below(3)]
            let from = g.seeded(g.bytes(from: "aAbB.@_\n -", maxCount: 8), with: domain + glue + user + [0x40])
            let pattern = "\\b" + S.quoteRegexInterpolation(domain) + "." + S.quoteRegexInterpolation(user) + "@"
            return (InterpolatedPatterns.domainDotUser(domain, user, in: from),
                    S.matches(S.regex(pattern, [.caseless]), from), "domain \(domain) user \(user) from \(from)")
        }
    }
}
