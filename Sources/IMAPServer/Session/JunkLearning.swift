import Mailstore

/// Where an IMAP session reports what the user taught it by moving mail (issue: "learning
/// from the user"): into Junk is spam, out of Junk (not to Trash) is ham. The learner works
/// in the background; the IMAP reply never waits for it.
public protocol JunkLearner: Sendable {
    /// Learns `messages` as spam or ham for `user`; `reason` is for the log.
    func learn(_ messages: [[UInt8]], asSpam: Bool, user: String, reason: String)
}

/// What a move, copy or append between two mailboxes teaches, as Dovecot's antispam and
/// IMAPSieve setups define it: into Junk from anywhere else is spam; out of Junk into
/// anything but Trash is ham (a user emptying Junk into Trash says nothing).
enum JunkLesson: Equatable {
    case spam
    case ham

    /// The lesson of moving or copying from `source` (nil for APPEND) to `target`.
    static func of(from source: String?, to target: String) -> JunkLesson? {
        let into = SpecialUse(mailboxName: target)
        let outOf = source.flatMap { SpecialUse(mailboxName: $0) }
        if into == .junk && outOf != .junk { return .spam }
        if outOf == .junk && into != .junk && into != .trash { return .ham }
        return nil
    }
}
