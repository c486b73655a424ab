import NIOCore

/// How long a session may keep the server waiting, as Postfix's smtpd decides it: a time
/// limit per read (`smtpd_timeout`), a shorter one per request when the listener is under
/// stress (`smtpd_timeout = ${stress?{10}:{300}}`, `smtpd_per_request_deadline =
/// ${stress?{yes}:{no}}`), a minimum data rate for DATA (`smtpd_min_data_rate`) and a cap
/// on the whole session. A value: the deadline is a function of the session's timing, so it
/// is tested without sockets; `SessionTimer` carries it out.
public struct SessionTimeouts: Sendable, Equatable {
    /// Postfix `smtpd_timeout`: the longest wait for the client's next bytes.
    public var idle: TimeAmount
    /// `smtpd_timeout` under stress, counted per request (a whole command line must arrive
    /// within it, however it is split), so idle and trickling sessions give up their slots.
    public var stressIdle: TimeAmount
    /// Postfix `smtpd_min_data_rate` in bytes per second: DATA may take at most the timeout
    /// plus its bytes divided by this rate. 0 = no DATA deadline beyond the per-read one.
    public var minDataRate: Int
    /// The longest a session may last, counted while the server waits on the client; nil = no cap.
    public var sessionLimit: TimeAmount?

    public init(idle: TimeAmount, stressIdle: TimeAmount = .seconds(10), minDataRate: Int = 500,
                sessionLimit: TimeAmount? = nil) {
        self.idle = idle
        self.stressIdle = stressIdle
        self.minDataRate = minDataRate
        self.sessionLimit = sessionLimit
    }

    /// Why a session ran out of time (for the log; the client gets the same 421 4.4.2).
    public enum Expiry: Sendable, Equatable, CustomStringConvertible {
        /// Nothing (or, under stress, no complete request) from the client within the timeout.
        case idle
        /// DATA came slower than the minimum data rate.
        case slowData
        /// The session lasted longer than `sessionLimit`.
        case sessionLimit

        public var description: String {
            switch self {
            case .idle: "idle timeout"
            case .slowData: "DATA below the minimum data rate"
            case .sessionLimit: "session time limit"
            }
        }
    }

    /// When the session must be cut off if the client sends nothing useful before then.
    public func deadline(_ timing: SessionTiming, stressed: Bool) -> (at: NIODeadline, reason: Expiry) {
        let timeout = stressed ? stressIdle : idle
        var result: (at: NIODeadline, reason: Expiry)
        if stressed && timing.dataStarted == nil {
            result = (timing.awaitingSince + timeout, .idle)
        } else {
            result = (timing.lastRead + timeout, .idle)
        }
        if let dataStarted = timing.dataStarted, minDataRate > 0 {
            // Clamped so that an unlimited message cannot overflow the nanosecond count.
            let bytes = Int64(min(timing.dataBytes, Int(Int64.max / 1_000_000_000)))
            let allowance = TimeAmount.nanoseconds(bytes * 1_000_000_000 / Int64(minDataRate))
            let dataDeadline = dataStarted + timeout + allowance
            if dataDeadline < result.at { result = (dataDeadline, .slowData) }
        }
        if let sessionLimit, timing.started + sessionLimit < result.at {
            result = (timing.started + sessionLimit, .sessionLimit)
        }
        return result
    }
}

/// What a session has done, in time: the inputs of `SessionTimeouts.deadline`.
public struct SessionTiming: Sendable, Equatable {
    /// The connection was accepted.
    public var started: NIODeadline
    /// The client's last bytes arrived (or the session started).
    public var lastRead: NIODeadline
    /// The server last finished a request and began waiting for the next one.
    public var awaitingSince: NIODeadline
    /// The 354 went out and the message is still coming; nil outside DATA.
    public var dataStarted: NIODeadline?
    /// Message bytes received in this DATA so far.
    public var dataBytes: Int

    public init(started: NIODeadline) {
        self.started = started
        self.lastRead = started
        self.awaitingSince = started
        self.dataStarted = nil
        self.dataBytes = 0
    }
}
