import Foundation
import MoatCore
import XCTest
@testable import SMTP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-connection SMTP/LMTP server on 127.0.0.1 (plain blocking sockets on its own
/// thread, independent of the client's NIO code). It records every byte it receives and
/// answers from a script: `respond(.command(line))` for command lines, `.endOfData` after
/// the final dot. A nil answer makes it hang up; an empty one sends nothing.
final class ClientScriptedServer: @unchecked Sendable {
    enum Event: Equatable {
        case connected
        case command(String)
        case endOfData
    }

    let port: Int
    private let listener: Int32
    private let respond: @Sendable (Event) -> String?
    private let lock = NSLock()
    private var receivedBytes: [UInt8] = []
    private let finished = DispatchSemaphore(value: 0)
    /// Stop reading for this long after answering DATA with 354 (a stuck peer).
    private let stallAfterData: UInt32

    init(stallAfterData: UInt32 = 0, respond: @escaping @Sendable (Event) -> String?) throws {
        self.respond = respond
        self.stallAfterData = stallAfterData
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 4) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.listener = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in self.serve() }
    }

    /// Everything the client sent, once the connection is over (or after 10 s).
    func received() -> [UInt8] {
        _ = finished.wait(timeout: .now() + 10)
        lock.lock()
        defer { lock.unlock() }
        return receivedBytes
    }

    var receivedText: String { String(decoding: received(), as: UTF8.self) }

    private func serve() {
        defer { close(listener); finished.signal() }
        let fd = accept(listener, nil, nil)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard send(fd, respond(.connected)) else { return }
        var pending: [UInt8] = []
        var inData = false
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            lock.lock()
            receivedBytes += chunk[0..<n]
            lock.unlock()
            pending += chunk[0..<n]
            while true {
                if inData {
                    // The data ends with CRLF.CRLF, or is just ".CRLF".
                    let terminator: [UInt8] = [13, 10, 46, 13, 10]
                    let end: Int?
                    if pending.starts(with: [46, 13, 10]) { end = 3 } else {
                        end = Self.find(terminator, in: pending).map { $0 + terminator.count }
                    }
                    guard let end else { break }
                    pending.removeFirst(end)
                    inData = false
                    guard send(fd, respond(.endOfData)) else { return }
                } else {
                    guard let lf = pending.firstIndex(of: 10) else { break }
                    let line = String(decoding: pending[..<lf].dropLast(pending[..<lf].last == 13 ? 1 : 0), as: UTF8.self)
                    pending.removeFirst(lf + 1)
                    let answer = respond(.command(line))
                    guard send(fd, answer) else { return }
                    if line.uppercased() == "DATA", answer?.hasPrefix("354") == true {
                        inData = true
                        if stallAfterData > 0 { sleep(stallAfterData); return }
                    }
                    if line.uppercased() == "QUIT" { return }
                }
            }
        }
    }

    /// Writes the answer; false (hang up) for nil.
    private func send(_ fd: Int32, _ answer: String?) -> Bool {
        guard let answer else { return false }
        let bytes = Array(answer.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }
}

final class ClientEndToEndTests: XCTestCase {
    private let sender = EmailAddress(parsing: "sender@example.org")!
    private let alice = EmailAddress(parsing: "alice@example.com")!
    private let bob = EmailAddress(parsing: "bob@example.com")!

    private func options(_ configure: (inout SMTPClientOptions) -> Void = { _ in }) -> SMTPClientOptions {
        var options = SMTPClientOptions(heloName: "moat.test", connectTimeout: .seconds(5),
                                        commandTimeout: .seconds(10), dataDoneTimeout: .seconds(10))
        configure(&options)
        return options
    }

    /// Postfix-like: PIPELINING, XFORWARD, SIZE, 8BITMIME; bob is unknown.
    func testPipelinedReinjectionExactBytes() async throws {
        let server = try ClientScriptedServer { event in
            switch event {
            case .connected: return "220 localhost ESMTP Postfix\r\n"
            case .command(let line):
                if line.hasPrefix("EHLO") {
                    return "250-localhost\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n"
                        + "250-XFORWARD NAME ADDR PROTO HELO SOURCE PORT IDENT\r\n250 SMTPUTF8\r\n"
                }
                if line.hasPrefix("XFORWARD") || line.hasPrefix("MAIL") { return "250 2.0.0 Ok\r\n" }
                if line == "RCPT TO:<bob@example.com>" { return "550 5.1.1 <bob@example.com>: Recipient address rejected\r\n" }
                if line.hasPrefix("RCPT") { return "250 2.1.5 Ok\r\n" }
                if line == "DATA" { return "354 End data with <CR><LF>.<CR><LF>\r\n" }
                if line == "QUIT" { return "221 2.0.0 Bye\r\n" }
                return "502 5.5.2 Error: command not recognized\r\n"
            case .endOfData: return "250 2.0.0 Ok: queued as 3F4A21C0\r\n"
            }
        }
        let message = Array("Subject: test\n\n.leading dot\nbare\rCR\r\nlast line".utf8)
        let envelope = Envelope(sender: sender, recipients: [alice, bob],
                                client: ClientIdentity(address: "192.0.2.7", hostname: nil, helo: "client helo",
                                                       protocolName: "ESMTP", source: "REMOTE"))
        let result = try await SMTPClient.deliver(to: "127.0.0.1", port: server.port, envelope: envelope, message: message,
                                                  options: options { $0.eightBitMIME = true })
        XCTAssertEqual(server.receivedText,
            "EHLO moat.test\r\n"
            + "XFORWARD NAME=[UNAVAILABLE] ADDR=192.0.2.7 PROTO=ESMTP HELO=client+20helo SOURCE=REMOTE\r\n"
            + "MAIL FROM:<sender@example.org> SIZE=\(message.count) BODY=8BITMIME\r\n"
            + "RCPT TO:<alice@example.com>\r\n"
            + "RCPT TO:<bob@example.com>\r\n"
            + "DATA\r\n"
            + "Subject: test\r\n\r\n..leading dot\r\nbare\rCR\r\nlast line\r\n.\r\n"
            + "QUIT\r\n")
        XCTAssertEqual(result.acceptedRecipients, [alice])
        XCTAssertEqual(result.rejectedRecipients.map(\.recipient), [bob])
        XCTAssertEqual(result.reply(for: bob)?.enhanced, "5.1.1")
        XCTAssertEqual(result.queueID, "3F4A21C0")
        XCTAssertEqual(result.dataReply, SMTPReply(code: 250, enhanced: "2.0.0", lines: ["Ok: queued as 3F4A21C0"]))
    }

    func testLMTPViaEndpointLargeMessageInSmallChunks() async throws {
        let server = try ClientScriptedServer { event in
            switch event {
            case .connected: return "220 lmtp ready\r\n"
            case .command(let line):
                if line.hasPrefix("LHLO") { return "250-lmtp\r\n250 PIPELINING\r\n" }
                if line == "DATA" { return "354 go ahead\r\n" }
                if line == "QUIT" { return "221 bye\r\n" }
                return "250 ok\r\n"
            case .endOfData: return "250 2.0.0 <alice@example.com> Saved\r\n452 4.2.2 <bob@example.com> Quota exceeded\r\n"
            }
        }
        var message: [UInt8] = []
        for i in 0..<40_000 { message += Array((i % 7 == 0 ? ".line \(i)\n" : "line \(i) ....\n").utf8) }
        let endpoint = try SMTPEndpoint(parsing: "lmtp:127.0.0.1:\(server.port)")
        let result = try await SMTPClient.deliver(to: endpoint, envelope: Envelope(sender: .null, recipients: [alice, bob]),
                                                  message: message, options: options { $0.writeChunkSize = 65536 })
        let expected = "LHLO moat.test\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n"
        let received = server.received()
        XCTAssertEqual(Array(received.prefix(expected.utf8.count)), Array(expected.utf8))
        XCTAssertEqual(Array(received.dropFirst(expected.utf8.count)), SMTPDotStuffer.encode(message) + Array("QUIT\r\n".utf8))
        XCTAssertEqual(result.perRecipient.map { "\($0.recipient) \($0.reply.code)" },
                       ["alice@example.com 250", "bob@example.com 452"])
        XCTAssertEqual(result.deferredRecipients.map(\.recipient), [bob])
        XCTAssertEqual(result.dataReply?.code, 250)
    }

    func testHELOFallbackAndNoPipelining() async throws {
        let server = try ClientScriptedServer { event in
            switch event {
            case .connected: return "220 old\r\n"
            case .command(let line):
                if line.hasPrefix("EHLO") { return "500 unknown command\r\n" }
                if line == "RCPT TO:<alice@example.com>" { return "450 4.2.0 greylisted\r\n" }
                if line == "DATA" { return "354 go\r\n" }
                if line == "QUIT" { return "221 bye\r\n" }
                return "250 ok\r\n"
            case .endOfData: return "250 accepted\r\n"
            }
        }
        let result = try await SMTPClient.deliver(to: "127.0.0.1", port: server.port,
                                                  envelope: Envelope(sender: sender, recipients: [alice, bob]),
                                                  message: Array("x".utf8), options: options())
        XCTAssertEqual(server.receivedText,
            "EHLO moat.test\r\nHELO moat.test\r\nMAIL FROM:<sender@example.org>\r\nRCPT TO:<alice@example.com>\r\n"
            + "RCPT TO:<bob@example.com>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n")
        XCTAssertEqual(result.acceptedRecipients, [bob])
        XCTAssertEqual(result.reply(for: alice)?.code, 450)
        XCTAssertNil(result.queueID)
    }

    func testGreetingTimeout() async throws {
        let server = try ClientScriptedServer { event in event == .connected ? "" : nil }
        do {
            _ = try await SMTPClient.deliver(to: "127.0.0.1", port: server.port,
                                             envelope: Envelope(sender: sender, recipients: [alice]),
                                             message: [], options: options { $0.commandTimeout = .milliseconds(200) })
            XCTFail("expected a timeout")
        } catch {
            guard case .timeout(.greeting) = error else { return XCTFail("\(error)") }
        }
    }

    func testStuckPeerDuringMessageTimesOut() async throws {
        let server = try ClientScriptedServer(stallAfterData: 2) { event in
            switch event {
            case .connected: return "220 mx\r\n"
            case .command(let line): return line == "DATA" ? "354 go\r\n" : "250 ok\r\n"
            case .endOfData: return "250 ok\r\n"
            }
        }
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 32 << 20)  // more than the socket buffers hold
        do {
            _ = try await SMTPClient.deliver(to: "127.0.0.1", port: server.port,
                                             envelope: Envelope(sender: sender, recipients: [alice]),
                                             message: message, options: options { $0.dataTransferTimeout = .milliseconds(300) })
            XCTFail("expected a timeout")
        } catch {
            guard case .timeout(.message) = error else { return XCTFail("\(error)") }
        }
    }

    func testCancellationClosesTheConnection() async throws {
        let server = try ClientScriptedServer { event in event == .connected ? "" : nil }
        let port = server.port
        let envelope = Envelope(sender: sender, recipients: [alice])
        let options = options()
        let task = Task {
            try await SMTPClient.deliver(to: "127.0.0.1", port: port, envelope: envelope, message: [], options: options)
        }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let start = ContinuousClock.now
        do {
            _ = try await task.value
            XCTFail("expected a failure")
        } catch {
            guard case .unexpectedClose(.greeting) = error as? SMTPClientError else { return XCTFail("\(error)") }
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
    }

    func testServerHangsUpMidTransaction() async throws {
        let server = try ClientScriptedServer { event in
            switch event {
            case .connected: return "220 mx\r\n"
            case .command(let line): return line.hasPrefix("RCPT") ? nil : "250 ok\r\n"
            case .endOfData: return nil
            }
        }
        do {
            _ = try await SMTPClient.deliver(to: "127.0.0.1", port: server.port,
                                             envelope: Envelope(sender: sender, recipients: [alice]),
                                             message: [], options: options())
            XCTFail("expected unexpectedClose")
        } catch {
            guard case .unexpectedClose(.rcpt) = error else { return XCTFail("\(error)") }
        }
    }

    func testServerClosingWith421GivesResult() async throws {
        let server = try ClientScriptedServer { event in
            switch event {
            case .connected: return "220 mx\r\n"
            case .command(let line):
                return line.hasPrefix("MAIL") ? "421 4.3.2 shutting down\r\n" : "250 ok\r\n"
            case .endOfData: return nil
            }
        }
        // The scripted server keeps reading after the 421; the client must not wait for more.
        let result = try await SMTPClient.deliver(to: "127.0.0.1", port: server.port,
                                                  envelope: Envelope(sender: sender, recipients: [alice]),
                                                  message: [], options: options())
        XCTAssertEqual(result.reply(for: alice)?.code, 421)
        XCTAssertFalse(server.receivedText.contains("QUIT"))
    }

    func testConnectRefused() async throws {
        // A port that was just free: bind, read the port, close.
        let probe = try ClientScriptedServer { _ in nil }
        let port = probe.port
        // Let the probe accept and drop one connection so its listener closes.
        _ = try? await SMTPClient.deliver(to: "127.0.0.1", port: port,
                                          envelope: Envelope(sender: sender, recipients: [alice]),
                                          message: [], options: options())
        _ = probe.received()
        do {
            _ = try await SMTPClient.deliver(to: "127.0.0.1", port: port,
                                             envelope: Envelope(sender: sender, recipients: [alice]),
                                             message: [], options: options())
            XCTFail("expected connectFailed")
        } catch {
            guard case .connectFailed(let host, let failedPort, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(host, "127.0.0.1")
            XCTAssertEqual(failedPort, port)
        }
    }

    func testNoRecipientsDoesNotConnect() async throws {
        let result = try await SMTPClient.deliver(to: "127.0.0.1", port: 1, envelope: Envelope(sender: sender, recipients: []),
                                                  message: [], options: options())
        XCTAssertTrue(result.perRecipient.isEmpty)
    }
}
