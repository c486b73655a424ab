import XCTest
@testable import IMAP

/// Checks that APPEND events come in their grammar: `appendStarted (appendMessageStarted
/// appendMessageBytes* appendMessageFinished)+ appendFinished`, a message's bytes adding up
/// to its size, and an error or a refused literal ending an APPEND anywhere.
struct AppendEventChecker {
    private enum State {
        case idle
        case between
        case inMessage(remaining: Int)
    }

    private var state = State.idle
    private(set) var violations: [String] = []

    mutating func take(_ event: CommandParserEvent) {
        switch (state, event) {
        case (.idle, .appendStarted): state = .between
        case (.between, .appendMessageStarted(let start)): state = .inMessage(remaining: start.size)
        case (.inMessage(let remaining), .appendMessageBytes(let bytes)) where bytes.count <= remaining && !bytes.isEmpty:
            state = .inMessage(remaining: remaining - bytes.count)
        case (.inMessage(0), .appendMessageFinished): state = .between
        case (.between, .appendFinished): state = .idle
        case (.inMessage, .literalRequested), (_, .error): if case .error = event { state = .idle }
        case (.idle, .command), (.idle, .literalRequested), (.idle, .idleDone), (.idle, .authenticationResponse): break
        default: violations.append("\(event) in \(state)")
        }
    }

    /// The server refused the literal: the APPEND is over.
    mutating func literalRefused() { state = .idle }
}
