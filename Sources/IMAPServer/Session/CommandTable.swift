import IMAP

/// The server's command table (Dovecot's `imap-commands.c`): for each command, the states it
/// may run in and whether it works on sequence numbers, which decides whether the server
/// may send EXPUNGE before its reply (RFC 9051 §7.5.1: not during FETCH, STORE or SEARCH, whose
/// sequence numbers would shift under the client; the UID forms may).
public struct CommandRule: Sendable, Hashable {
    public var states: Set<SessionState>
    /// The command's arguments or results are sequence numbers.
    public var usesSequenceNumbers: Bool

    public static func rule(for command: Command) -> CommandRule {
        let any: Set<SessionState> = [.notAuthenticated, .authenticated, .selected]
        let authenticated: Set<SessionState> = [.authenticated, .selected]
        let selected: Set<SessionState> = [.selected]
        switch command {
        case .capability, .noop, .logout, .id:
            return CommandRule(states: any, usesSequenceNumbers: false)
        case .startTLS, .authenticate, .login:
            return CommandRule(states: [.notAuthenticated], usesSequenceNumbers: false)
        case .enable, .namespace, .select, .examine, .create, .delete, .rename, .subscribe, .unsubscribe, .list, .lsub,
             .status, .idle, .getQuota, .getQuotaRoot, .setQuota:
            return CommandRule(states: authenticated, usesSequenceNumbers: false)
        case .check, .close, .unselect, .expunge, .uidExpunge:
            return CommandRule(states: selected, usesSequenceNumbers: false)
        case .search(let c): return CommandRule(states: selected, usesSequenceNumbers: !c.byUID)
        case .fetch(let c): return CommandRule(states: selected, usesSequenceNumbers: !c.byUID)
        case .store(let c): return CommandRule(states: selected, usesSequenceNumbers: !c.byUID)
        case .copy(let c), .move(let c): return CommandRule(states: selected, usesSequenceNumbers: !c.byUID)
        case .sort(let c): return CommandRule(states: selected, usesSequenceNumbers: !c.byUID)
        case .thread(let c): return CommandRule(states: selected, usesSequenceNumbers: !c.byUID)
        }
    }
}
