// SMTPClientError - why a delivery attempt ended without a result. Callers turn any of
// these into a 4xx temporary failure: nothing is known about the message's fate.

/// A step of the client dialogue, for timeouts and log lines.
public enum SMTPClientStage: String, Sendable, Equatable, CustomStringConvertible {
    case connect
    case greeting
    case ehlo
    case helo
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

    public var description: String {
        switch self {
        case .connectFailed(let host, let port, let underlying):
            "connect to \(host):\(port) failed: \(underlying)"
        case .timeout(let stage): "timeout while waiting for \(stage)"
        case .protocolViolation(let text): "protocol violation: \(text)"
        case .unexpectedClose(let stage): "lost connection during \(stage)"
        }
    }
}
