/// The syslog facilities a mail daemon may log under (RFC 3164 §4.1.1 codes). Postfix and
/// amavisd-new log as `mail`, which is what `/var/log/mail.log` collects; the `local`
/// facilities are for sites that route Moat apart.
public enum SyslogFacility: String, Sendable, CaseIterable {
    case mail, daemon, user
    case local0, local1, local2, local3, local4, local5, local6, local7

    /// The facility's number, as it goes into the PRI part (`facility * 8 + severity`).
    public var code: Int {
        switch self {
        case .user: 1
        case .mail: 2
        case .daemon: 3
        case .local0: 16
        case .local1: 17
        case .local2: 18
        case .local3: 19
        case .local4: 20
        case .local5: 21
        case .local6: 22
        case .local7: 23
        }
    }
}
