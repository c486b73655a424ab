// SMTPClientError - why a delivery attempt ended without a result. Callers turn any of
// these into a 4xx temporary failure: nothing is known about the message's fate.

import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A step of the client dialogue, for timeouts and log lines.
public enum SMTPClientStage: String, Sendable, Equatable, CustomStringConvertible {
    case connect
    case greeting
    case ehlo
    case helo
    case startTLS = "STARTTLS"
    /// Between the 220 to STARTTLS and the end of the TLS handshake.
    case tlsHandshake = "TLS handshake"
    case xforward
    case mail
    case rcpt
    case data
    /// Writing the message body.
    case message
    /// Waiting for the reply(ies) to the final dot.
    case dataDone = "end of data"
    case quit

    public var description: String { rawValue }
}

public enum SMTPClientError: Error, CustomStringConvertible {
    /// TCP connection could not be set up (refused, unreachable, resolution, timeout).
    case connectFailed(host: String, port: Int, underlying: any Error)
    /// No reply, or no write progress, within the stage's timeout.
    case timeout(SMTPClientStage)
    /// The server broke the protocol: malformed reply, reply out of place, over-long line.
    case protocolViolation(String)
    /// The connection closed or failed before the dialogue was over.
    case unexpectedClose(SMTPClientStage)
    /// STARTTLS was accepted but the TLS handshake failed (or the context could not be
    /// made). With opportunistic TLS the caller retries the host in plaintext.
    case tlsFailed(String)

    public var description: String {
        switch self {
        case .connectFailed(let host, let port, let underlying):
            "connect to \(host):\(port) failed: \(underlying)"
        case .timeout(let stage): "timeout while waiting for \(stage)"
        case .protocolViolation(let text): "protocol violation: \(text)"
        case .unexpectedClose(let stage): "lost connection during \(stage)"
        case .tlsFailed(let text): "TLS failed: \(text)"
        }
    }
}

extension SMTPClientError {
    /// For `.connectFailed`, the reason in strerror(3) words (`Connection refused`,
    /// `Connection timed out`), as Postfix's smtp(8) words "connect to …: Connection
    /// refused"; nil for the other cases.
    public var connectFailureReason: String? {
        guard case .connectFailed(_, _, let underlying) = self else { return nil }
        return Self.reason(underlying)
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            // Happy Eyeballs wraps the per-address failures; one address was tried.
            if let first = error.connectionErrors.first { return reason(first.error) }
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "Host not found: \(dns)" }
            return "\(error)"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode))
        case ChannelError.connectTimeout:
            return "Connection timed out"
        default:
            return "\(error)"
        }
    }
}
