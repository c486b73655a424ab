import MoatCore
import XCTest
@testable import IMAP

/// How test input is cut before it is fed: the parser must give the same events for all.
enum Chunking: CustomStringConvertible {
    case whole
    case byteAtATime
    case random(seed: UInt64)

    static let all: [Chunking] = [.whole, .byteAtATime, .random(seed: 1), .random(seed: 42)]

    var description: String {
        switch self {
        case .whole: "whole"
        case .byteAtATime: "byte at a time"
        case .random(let seed): "random splits (seed \(seed))"
        }
    }

    func chunks(of input: [UInt8]) -> [ArraySlice<UInt8>] {
        switch self {
        case .whole:
            return [input[...]]
        case .byteAtATime:
            return input.indices.map { input[$0...$0] }
        case .random(let seed):
            var rng = SplitMix64(seed: seed)
            var chunks: [ArraySlice<UInt8>] = []
            var start = 0
            while start < input.count {
                let end = min(input.count, start + 1 + Int(rng.next() % 17))
                chunks.append(input[start..<end])
                start = end
            }
            return chunks
        }
    }
}

/// Feeds input to a parser the way a connection would, accepting (or refusing) every
/// synchronizing literal, and collects the events.
struct ParserDriver {
    var parser: CommandParser
    var acceptsLiterals = true
    private(set) var events: [CommandParserEvent] = []

    init(limits: ParserLimits = ParserLimits(), acceptsLiterals: Bool = true) {
        parser = CommandParser(limits: limits)
        self.acceptsLiterals = acceptsLiterals
    }

    mutating func feed(_ chunk: some Collection<UInt8>) {
        parser.feed(chunk)
        drain()
    }

    mutating func drain() {
        while let event = parser.next() {
            events.append(event)
            if case .literalRequested = event {
                if acceptsLiterals { try? parser.acceptLiteral() } else { try? parser.refuseLiteral() }
            }
        }
    }

    /// The events for `input` cut as `chunking` says.
    static func events(
        _ input: [UInt8], chunking: Chunking = .whole, limits: ParserLimits = ParserLimits(), acceptsLiterals: Bool = true
    ) -> [CommandParserEvent] {
        var driver = ParserDriver(limits: limits, acceptsLiterals: acceptsLiterals)
        for chunk in chunking.chunks(of: input) { driver.feed(chunk) }
        return driver.events
    }

    /// Events without the literal requests (what a server that accepts all literals acts on),
    /// with the chunks of each APPEND message joined (how they are cut depends on the input's).
    static func commandEvents(_ input: [UInt8], chunking: Chunking = .whole, limits: ParserLimits = ParserLimits()) -> [CommandParserEvent] {
        var result: [CommandParserEvent] = []
        for event in events(input, chunking: chunking, limits: limits) {
            switch (event, result.last) {
            case (.literalRequested, _): continue
            case (.appendMessageBytes(let more), .appendMessageBytes(let bytes)?): result[result.count - 1] = .appendMessageBytes(bytes + more)
            default: result.append(event)
            }
        }
        return result
    }
}

/// The UTF-8 bytes of `string`.
func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }
