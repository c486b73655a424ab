import MoatCore
import XCTest
@testable import IMAP

/// Random and mutated commands, deterministic (fixed seeds) so a failure reproduces: no crash,
/// memory within the limits, and the line after any garbage parses.
final class ParserFuzzTests: XCTestCase {
    private static let seeds: [String] = [
        "a1 LOGIN {4+}\r\nuser \"pa\\\"ss\"", "a2 SELECT box (QRESYNC (1 2 1:9 (1:3 5:7)))",
        "a3 FETCH 1:*,$ (FLAGS BODY.PEEK[1.2.HEADER.FIELDS (From To)]<0.100> BINARY[1] BINARY.SIZE[2]) (CHANGEDSINCE 5)",
        "a4 UID SEARCH RETURN (MIN MAX) CHARSET UTF-8 OR (SEEN NOT DELETED) HEADER X-A \"b\" SINCE 1-Feb-1994",
        "a5 APPEND box (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" {5}\r\nhello ~{3}\r\na\0b",
        "a6 STORE 1 (UNCHANGEDSINCE 3) +FLAGS.SILENT (\\Deleted $Junk)", "a7 LIST (SUBSCRIBED) \"\" (a* b%) RETURN (STATUS (MESSAGES))",
        "a8 SORT RETURN (COUNT) (REVERSE DATE) UTF-8 ALL", "a9 THREAD REFERENCES UTF-8 UNDELETED", "b1 ID (\"name\" NIL)",
        "b2 AUTHENTICATE PLAIN AHVzZXIAcGFzcw==", "b3 STATUS box (MESSAGES SIZE HIGHESTMODSEQ)", "b4 SETQUOTA \"\" (STORAGE 5)",
        "b5 CREATE box (USE (\\Sent))", "b6 ENABLE QRESYNC", "b7 UID EXPUNGE 1:3", "b8 MOVE 1 \"a b\"", "b9 IDLE",
    ]
    private static let specials: [UInt8] = Array("(){}[]<>\"\\~*%$+-:,. 0123456789\r\n\0".utf8) + [0xC3, 0xFF]
    private static let limits = ParserLimits(
        maxLineLength: 512, maxLiteralSize: 64, maxCommandSize: 200, maxNestingDepth: 20, maxListItems: 50)

    private func mutated(_ rng: inout SplitMix64) -> [UInt8] {
        if rng.next() % 8 == 0 {
            return (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }
        var input = bytes(Self.seeds[Int(rng.next() % UInt64(Self.seeds.count))])
        for _ in 0..<Int(rng.next() % 6) {
            let position = input.isEmpty ? 0 : Int(rng.next() % UInt64(input.count))
            switch rng.next() % 6 {
            case 0 where !input.isEmpty: input[position] = Self.specials[Int(rng.next() % UInt64(Self.specials.count))]
            case 1: input.insert(Self.specials[Int(rng.next() % UInt64(Self.specials.count))], at: position)
            case 2 where !input.isEmpty: input.removeSubrange(position..<min(input.count, position + Int(rng.next() % 8)))
            case 3: input.insert(contentsOf: bytes(["{3}\r\n", "{100+}\r\n", "{2-}\r\n", "~{1}\r\n", "((((", " NOT"][Int(rng.next() % 6)]), at: position)
            case 4: input = Array(input.prefix(position))
            default: input.insert(contentsOf: input.prefix(Int(rng.next() % 40)), at: position)
            }
        }
        return input
    }

    func testMutatedAndRandomInputAlwaysRecovers() {
        var rng = SplitMix64(seed: 20_261_207)
        var parser = CommandParser(limits: Self.limits)
        var outcomes = (commands: 0, errors: 0, recoveries: 0, closes: 0, appends: 0)
        var appendEvents = AppendEventChecker()
        for iteration in 0..<20_000 {
            if rng.next() % 10 == 0 {
                rng.next() % 2 == 0 ? parser.expectIdleDone() : parser.expectAuthenticationResponse()
            }
            // The garbage, then the bytes of any literal it left open, then a line.
            let input = mutated(&rng)
            var last: CommandParserEvent?
            var closes = false
            func feed(_ bytes: ArraySlice<UInt8>) {
                var start = bytes.startIndex
                while start < bytes.endIndex {
                    let end = min(bytes.endIndex, start + 1 + Int(rng.next() % 64))
                    parser.feed(bytes[start..<end])
                    start = end
                    while let event = parser.next() {
                        last = event
                        appendEvents.take(event)
                        switch event {
                        case .literalRequested:
                            if rng.next() % 4 == 0 {
                                try? parser.refuseLiteral()
                                appendEvents.literalRefused()
                            } else {
                                try? parser.acceptLiteral()
                            }
                        case .appendFinished: outcomes.appends += 1
                        case .error(let error):
                            outcomes.errors += 1
                            closes = closes || error.closesConnection
                        case .command: outcomes.commands += 1
                        default: break
                        }
                    }
                    XCTAssertLessThanOrEqual(parser.heldByteCount, 1024, "iteration \(iteration)")
                }
            }
            feed(input[...])
            // A line end may announce a literal (`{4}` at the end of the garbage) that the
            // next bytes fill: fill it, end the line, until no literal is open.
            for _ in 0..<10 {
                guard parser.remainingLiteralBytes < 100_000 else { break }
                feed([UInt8](repeating: UInt8(ascii: "x"), count: Int(parser.remainingLiteralBytes))[...])
                feed(bytes("\r\n")[...])
                if parser.remainingLiteralBytes == 0 { break }
            }
            closes = closes || parser.remainingLiteralBytes > 0
            feed(bytes("z9 NOOP\r\n")[...])
            if closes {
                // The server would close the connection: a new one gets a new parser.
                outcomes.closes += 1
                parser = CommandParser(limits: Self.limits)
                appendEvents = AppendEventChecker()
                continue
            }
            XCTAssertEqual(last, .command(TaggedCommand(tag: Tag("z9"), command: .noop)), "iteration \(iteration): \(input)")
            XCTAssertEqual(parser.bufferedByteCount, 0)
            outcomes.recoveries += 1
        }
        XCTAssertEqual(appendEvents.violations, [])
        XCTAssertGreaterThan(outcomes.appends, 50)
        XCTAssertGreaterThan(outcomes.errors, 1000)
        XCTAssertGreaterThan(outcomes.recoveries, 15_000)
        print("fuzz: \(outcomes)")
    }
}
