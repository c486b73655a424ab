import Directory
import Foundation
import IMAP
@testable import IMAPServer
import Logging
import MailAccess
import MoatCore
import XCTest

/// Sessions driven without sockets (`IMAPSession.run`): commands in, the bytes a client would read out, over a
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

    func session(memory: MessageMemoryBudget? = nil, quarantine: QuarantineFolder? = nil) -> IMAPSession {
        IMAPSession(settings: SessionSettings(), login: login, pool: pool, plaintext: PlaintextAuthPolicy(),
                    mailRoot: root + "/mail", tlsAvailable: false, tlsActive: false, peer: "127.0.0.1",
                    localAddress: "127.0.0.1", quarantine: quarantine, memory: memory, logger: Logger(label: "test"))
    }

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
