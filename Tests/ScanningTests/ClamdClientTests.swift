import Foundation
import XCTest

@testable import Scanning

/// The clamd INSTREAM protocol against a fake clamd (there is no clamd daemon here).
final class ClamdClientTests: XCTestCase {
    func testCleanAndInfectedOverTCP() async throws {
        let fake = try FakeClamd(behaviour: .scan)
        defer { fake.stop() }
        let client = try ClamdClient(fake.spec, timeout: .seconds(5))

        let clean = try await client.scan(Array("just text".utf8), name: "a.txt")
        XCTAssertEqual(clean, [])
        let infected = try await client.scan(Array("prefix ".utf8) + TestData.eicar, name: "eicar.com")
        XCTAssertEqual(infected, ["Eicar-Test-Signature"])
        XCTAssertEqual(fake.commands, ["zINSTREAM", "zINSTREAM"])
    }

    func testLargeStreamIsChunkedAtMost64KiB() async throws {
        let fake = try FakeClamd(behaviour: .scan)
        defer { fake.stop() }
        let client = try ClamdClient(fake.spec, timeout: .seconds(10))
        let payload = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let result = try await client.scan(payload, name: nil)
        XCTAssertEqual(result, [])
        XCTAssertEqual(fake.received.last, payload, "stream reassembled byte for byte")
        XCTAssertEqual(fake.largestChunk, 65_536)
    }

    func testEmptyContentSendsOnlyTheTerminator() async throws {
        let fake = try FakeClamd(behaviour: .scan)
        defer { fake.stop() }
        let result = try await ClamdClient(fake.spec).scan([], name: nil)
        XCTAssertEqual(result, [])
        XCTAssertEqual(fake.received, [[]])
    }

    func testUnixSocket() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("moat-clamd-\(getpid()).ctl").path
        unlink(path)
        let fake = try FakeClamd(behaviour: .scan, unixPath: path)
        defer { fake.stop() }
        let client = try ClamdClient(fake.spec, timeout: .seconds(5))
        XCTAssertEqual(client.endpoint, .unix(path: path))
        let infected = try await client.scan(TestData.eicar, name: nil)
        XCTAssertEqual(infected, ["Eicar-Test-Signature"])
    }

    func testErrorReplyThrows() async throws {
        let fake = try FakeClamd(behaviour: .reply("stream: Can't allocate memory ERROR"))
        defer { fake.stop() }
        let client = try ClamdClient(fake.spec)
        do {
            _ = try await client.scan(Array("x".utf8), name: nil)
            XCTFail("an ERROR reply must not read as clean")
        } catch let error as ScanError {
            XCTAssertEqual(error, .clamdError(endpoint: fake.spec, reply: "stream: Can't allocate memory ERROR"))
        }
    }

    func testSizeLimitErrorWinsOverBrokenPipe() async throws {
        let fake = try FakeClamd(behaviour: .sizeLimit(100_000))
        defer { fake.stop() }
        let client = try ClamdClient(fake.spec, timeout: .seconds(10))
        do {
            _ = try await client.scan([UInt8](repeating: 0x41, count: 4_000_000), name: nil)
            XCTFail("expected the size-limit error")
        } catch let error as ScanError {
            XCTAssertEqual(error, .clamdError(endpoint: fake.spec, reply: "INSTREAM size limit exceeded. ERROR"))
        }
    }

    func testGarbageReplyIsAProtocolViolation() async throws {
        let fake = try FakeClamd(behaviour: .reply("HTTP/1.1 400 Bad Request"))
        defer { fake.stop() }
        do {
            _ = try await ClamdClient(fake.spec).scan(Array("x".utf8), name: nil)
            XCTFail("garbage must not read as clean")
        } catch ScanError.clamdProtocolViolation(_, let reply) {
            XCTAssertEqual(reply, "HTTP/1.1 400 Bad Request")
        }
    }

    func testSilentServerTimesOut() async throws {
        let fake = try FakeClamd(behaviour: .silent)
        defer { fake.stop() }
        let client = try ClamdClient(fake.spec, timeout: .milliseconds(300))
        let started = ContinuousClock.now
        do {
            _ = try await client.scan(Array("x".utf8), name: nil)
            XCTFail("expected a timeout")
        } catch let error as ScanError {
            XCTAssertEqual(error, .clamdTimeout(endpoint: fake.spec, phase: "read reply"))
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))
    }

    func testConnectionRefused() async throws {
        // Bind then close to get a loopback port nobody listens on.
        let fake = try FakeClamd(behaviour: .scan)
        let spec = fake.spec
        fake.stop()
        do {
            _ = try await ClamdClient(spec, connectTimeout: .seconds(1)).scan([1], name: nil)
            XCTFail("expected connection failure")
        } catch ScanError.clamdConnectionFailed(let endpoint, let phase, _) {
            XCTAssertEqual(endpoint, spec)
            XCTAssertEqual(phase, "connect")
        }
    }

    func testEndpointParsing() throws {
        XCTAssertEqual(try ClamdEndpoint(parsing: "unix:/run/clamav/clamd.ctl"), .unix(path: "/run/clamav/clamd.ctl"))
        XCTAssertEqual(try ClamdEndpoint(parsing: "/run/clamd.sock"), .unix(path: "/run/clamd.sock"))
        XCTAssertEqual(try ClamdEndpoint(parsing: "tcp:127.0.0.1:3310"), .tcp(host: "127.0.0.1", port: 3310))
        XCTAssertEqual(try ClamdEndpoint(parsing: "tcp:[::1]:3310"), .tcp(host: "::1", port: 3310))
        XCTAssertEqual(try ClamdEndpoint(parsing: "tcp:[::1]:3310").description, "tcp:[::1]:3310")
        for bad in ["tcp:127.0.0.1", "tcp:host:0", "tcp:host:99999", "tcp::3310", "clamd", "unix:"] {
            XCTAssertThrowsError(try ClamdEndpoint(parsing: bad), bad)
        }
    }

    func testReplyParsing() {
        XCTAssertEqual(ClamdReply(parsing: Array("stream: OK\0".utf8)), .clean)
        XCTAssertEqual(
            ClamdReply(parsing: Array("stream: Win.Test.EICAR_HDB-1 FOUND\0".utf8)), .infected(["Win.Test.EICAR_HDB-1"]))
        XCTAssertEqual(
            ClamdReply(parsing: Array("stream: A FOUND\0stream: B FOUND\0".utf8)), .infected(["A", "B"]))
        XCTAssertEqual(ClamdReply(parsing: Array("stream: OK\n".utf8)), .clean)
        XCTAssertEqual(
            ClamdReply(parsing: Array("INSTREAM size limit exceeded. ERROR\0".utf8)),
            .error("INSTREAM size limit exceeded. ERROR"))
        XCTAssertEqual(ClamdReply(parsing: []), .malformed("empty reply"))
        XCTAssertEqual(ClamdReply(parsing: Array("stream: OK".utf8)), .clean, "missing NUL at close still parses")
    }
}
