import Foundation
import IMAP
import IMAPServer
import Mailstore
import XCTest

/// ENVELOPE and BODYSTRUCTURE kept in the real mailbox index: once cached, a later FETCH
/// (another session's handle) gets them back from the index instead of parsing the file.
final class FetchCacheIndexTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "moat-fetch-cache-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    func testCachedPartsRoundTripThroughTheIndex() throws {
        let mailboxes = UserMailboxes(maildir: "\(root)/Maildir")
        try mailboxes.ensureDefaultMailboxes()
        let inbox = try mailboxes.open("INBOX")
        let sample = try XCTUnwrap(FetchSamples.brokenMIME.first { $0.name == "RFC 2231 parameters" })
        let uid = try inbox.append(sample.bytes)
        _ = try inbox.sync()

        // The index serves CRLF bytes of RFC822.SIZE octets; FETCH works on those.
        let bytes = try inbox.message(uid: uid)
        XCTAssertEqual(Int64(bytes.count), inbox.snapshot.messages.first { $0.uid == uid }?.size)
        let sections = MessageSections(bytes)
        XCTAssertEqual(try inbox.cachedParts(uid: uid), CachedMessageParts())
        try inbox.setCachedParts(FetchCache.entry(for: sections), uid: uid)

        let reopened = try mailboxes.open("INBOX", readOnly: true)
        let cached = try reopened.cachedParts(uid: uid)
        XCTAssertEqual(try FetchCache.decodeEnvelope(try XCTUnwrap(cached.envelope)), sections.envelope)
        XCTAssertEqual(try FetchCache.decodeBodyStructure(try XCTUnwrap(cached.bodyStructure)), sections.bodyStructure(extensible: true))
    }
}
