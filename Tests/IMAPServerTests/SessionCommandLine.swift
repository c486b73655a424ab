import IMAP
@testable import IMAPServer

/// Drives a session without a socket: one command line through the real parser in, the
/// bytes a client would read out.
extension IMAPSession {
    struct UnparsableLine: Error { let line: String }

    @discardableResult
    func run(_ line: String) async throws -> String {
        var parser = CommandParser()
        parser.feed(Array((line + "\r\n").utf8))
        guard case .command(let command)? = parser.next() else { throw UnparsableLine(line: line) }
        _ = await execute(command)
        return String(decoding: takeOutput(), as: UTF8.self)
    }
}
