import Directory
import Foundation
import IMAP
@testable import IMAPServer
import Logging
import MailAccess
import MoatCore
import XCTest

/// Sessions driven without sockets: commands in, the bytes a client would read out, over a
/// real directory (alice@example.com, password "sesame") and real Maildirs in a temporary
/// directory.
class IMAPSessionTestCase: XCTestCase {
    var root = ""
    var login: MailLogin!
    let pool = BlockingWorkPool(name: "test-imap", threads: 2)

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "moat-imap-\(UUID().uuidString)"
        let store = try DirectoryStore(path: root + "/directory.sqlite")
        try store.addDomain("example.com")
        try store.addMailbox("alice@example.com", password: Array("sesame".utf8))
        login = MailLogin(directory: store, pool: pool, settings: .init(penalty: .init(initial: .zero, maximum: .zero)))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    func session() -> IMAPSession {
        IMAPSession(settings: SessionSettings(), login: login, pool: pool, plaintext: PlaintextAuthPolicy(),
                    mailRoot: root + "/mail", tlsAvailable: false, tlsActive: false, peer: "127.0.0.1",
                    localAddress: "127.0.0.1", logger: Logger(label: "test"))
    }

    /// Runs one command line through the real parser; returns what the session wrote.
    @discardableResult
    func run(_ session: IMAPSession, _ line: String) async throws -> String {
        var parser = CommandParser()
        parser.feed(Array((line + "\r\n").utf8))
        guard case .command(let command)? = parser.next() else { throw ParseFailure(line: line) }
        _ = await session.execute(command)
        return String(decoding: session.takeOutput(), as: UTF8.self)
    }

    struct ParseFailure: Error { let line: String }

    /// APPENDs a small message with `subject` to INBOX, as the connection feeds APPEND.
    func appendMessage(_ session: IMAPSession, _ subject: String) async {
        await session.appendStarted(tag: Tag("ap"), mailbox: MailboxName("INBOX"))
        let bytes = Array("Subject: \(subject)\r\n\r\nbody\r\n".utf8)
        session.appendMessageStarted(AppendMessageStart(size: bytes.count))
        session.appendMessageBytes(bytes)
        session.appendMessageFinished()
        await session.appendFinished()
        _ = session.takeOutput()
    }
}
