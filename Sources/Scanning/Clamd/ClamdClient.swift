import Foundation
import Logging
import MoatCore

/// Scans through a clamd daemon with `zINSTREAM`, for installations that already run clamd
/// (or want its memory outside the filter process).
///
/// Wire protocol (clamd(8)): send `zINSTREAM\0`, then the content as chunks, each a 4-byte
/// big-endian length followed by that many bytes, then a zero length; clamd answers one
/// NUL-terminated line and closes the connection:
///
///     zINSTREAM\0 | 00 01 00 00 | 65536 bytes | 00 00 00 2a | 42 bytes | 00 00 00 00
///     <- "stream: OK\0"  or  "stream: Eicar-Test-Signature FOUND\0"  or  "... ERROR\0"
///
/// One connection per scan; the exchange runs on a small blocking pool with a deadline.
public final class ClamdClient: VirusScanner {
    public let endpoint: ClamdEndpoint
    /// Time allowed to establish the connection.
    public let connectTimeout: Duration
    /// Time allowed for the whole exchange, connect included (clamd scans before answering).
    public let timeout: Duration
    /// clamd's StreamMaxLength is enforced by clamd; chunks are at most this size.
    public static let maxChunkSize = 64 * 1024
    /// A real reply is one short line per match; anything longer is not clamd.
    static let maxReplySize = 64 * 1024

    private let logger: Logger
    private let pool: BlockingWorkPool

    /// - Parameters:
    ///   - spec: `unix:/run/clamav/clamd.ctl` or `tcp:127.0.0.1:3310`.
    ///   - maxConcurrentScans: connections open at once; keep it at or below clamd's MaxThreads.
    public convenience init(
        _ spec: String, connectTimeout: Duration = .seconds(5), timeout: Duration = .seconds(150),
        maxConcurrentScans: Int = 8, logger: Logger = Logger(label: "moat.clamd")
    ) throws(ScanError) {
        self.init(
            endpoint: try ClamdEndpoint(parsing: spec), connectTimeout: connectTimeout, timeout: timeout,
            maxConcurrentScans: maxConcurrentScans, logger: logger)
    }

    public init(
        endpoint: ClamdEndpoint, connectTimeout: Duration = .seconds(5), timeout: Duration = .seconds(150),
        maxConcurrentScans: Int = 8, logger: Logger = Logger(label: "moat.clamd")
    ) {
        self.endpoint = endpoint
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.logger = logger
        self.pool = BlockingWorkPool(name: "moat-clamd", threads: maxConcurrentScans)
    }

    deinit { pool.shutdown() }

    /// Streams `bytes` to clamd and returns the virus names it reports.
    /// - Throws: `ScanError` on connection failure, timeout, a clamd `ERROR` reply (such as
    ///   "INSTREAM size limit exceeded") or a reply that is not clamd's protocol.
    public func scan(_ bytes: [UInt8], name: String?) async throws -> [String] {
        let endpoint = endpoint, connectTimeout = connectTimeout, timeout = timeout
        let reply = try await pool.run {
            try Self.exchange(bytes, endpoint: endpoint, connectTimeout: connectTimeout, timeout: timeout)
        }
        logger.debug("clamd scanned", metadata: ["item": "\(name ?? "-")", "reply": "\(reply)"])
        switch reply {
        case .clean: return []
        case .infected(let names): return names
        case .error(let line): throw ScanError.clamdError(endpoint: endpoint.description, reply: line)
        case .malformed(let line): throw ScanError.clamdProtocolViolation(endpoint: endpoint.description, reply: line)
        }
    }

    /// One blocking INSTREAM exchange.
    static func exchange(
        _ bytes: [UInt8], endpoint: ClamdEndpoint, connectTimeout: Duration, timeout: Duration
    ) throws(ScanError) -> ClamdReply {
        let deadline = ContinuousClock.now + timeout
        let connection = try ClamdConnection.open(endpoint, connectTimeout: connectTimeout, deadline: deadline)
        do throws(ScanError) {
            try send(bytes, over: connection)
        } catch {
            // clamd stops reading and answers early when the stream exceeds StreamMaxLength;
            // our next write then fails. Prefer its explanation to our EPIPE.
            if case .clamdConnectionFailed = error,
                let early = try? connection.readUntilClosed(limit: maxReplySize, phase: "read reply")
            {
                let reply = ClamdReply(parsing: early)
                if case .malformed = reply {} else { return reply }
            }
            throw error
        }
        return ClamdReply(parsing: try connection.readUntilClosed(limit: maxReplySize, phase: "read reply"))
    }

    private static func send(_ bytes: [UInt8], over connection: ClamdConnection) throws(ScanError) {
        let command = Array("zINSTREAM\0".utf8)
        try connection.writeAll(command, command.indices, phase: "send command")
        var offset = 0
        while offset < bytes.count {
            let length = min(maxChunkSize, bytes.count - offset)
            try connection.writeAll(chunkHeader(length), 0..<4, phase: "send data")
            try connection.writeAll(bytes, offset..<offset + length, phase: "send data")
            offset += length
        }
        try connection.writeAll(chunkHeader(0), 0..<4, phase: "send end of stream")
    }

    /// The 4-byte big-endian length that precedes each chunk (0 ends the stream).
    private static func chunkHeader(_ length: Int) -> [UInt8] {
        let value = UInt32(length)
        return [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
