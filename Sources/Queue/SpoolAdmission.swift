import MoatCore

/// Whether the spool has room to take a message, decided at MAIL FROM before a byte of it
/// is received, with Postfix's rules (smtpd_check.c, smtpd_check_queue and
/// smtpd_check_size):
/// - the free space must exceed `queue_minfree` and 1.5 × `message_size_limit`, so any
///   message the server would accept still fits;
/// - a declared `SIZE=` must be below the free space less `queue_minfree`, and below half
///   the free space.
/// Otherwise `452 4.3.1 Insufficient system storage`: a temporary refusal, the client
/// keeps the message and retries when an admin has made room.
public struct SpoolAdmission: Sendable, Equatable {
    /// Postfix `queue_minfree`: bytes that must stay free on the spool's file system.
    public var minimumFree: Int64
    /// The largest message accepted (`message_size_limit`); 0 means none.
    public var messageSizeLimit: Int64

    public init(minimumFree: Int64, messageSizeLimit: Int64) {
        self.minimumFree = minimumFree
        self.messageSizeLimit = messageSizeLimit
    }

    public enum Verdict: Sendable, Equatable {
        case admit
        /// Too little room; `available` is what the file system had.
        case insufficientStorage(available: Int64)
    }

    /// - Parameters:
    ///   - space: the spool file system's free space now.
    ///   - declaredSize: MAIL FROM's `SIZE=`, when the client gave one.
    public func verdict(space: FileSystemSpace, declaredSize: Int?) -> Verdict {
        // In bytes (Postfix counts blocks because its sizes are longs; Int64 bytes cannot overflow here).
        let free = space.availableBytes
        let refused = .insufficientStorage(available: free) as Verdict
        if free <= minimumFree { return refused }
        if messageSizeLimit > 0 && Double(messageSizeLimit) * 1.5 >= Double(free) { return refused }
        if let declaredSize {
            let size = Int64(declaredSize)
            if size >= free - minimumFree || size >= free / 2 { return refused }
        }
        return .admit
    }
}
