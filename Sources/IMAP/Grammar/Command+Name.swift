extension Command {
    /// The command's name as a client writes it (`UID FETCH` for a UID form), for logs, the
    /// server's command table and replies such as `a1 OK FETCH completed`.
    public var name: String {
        switch self {
        case .capability: "CAPABILITY"
        case .noop: "NOOP"
        case .logout: "LOGOUT"
        case .id: "ID"
        case .startTLS: "STARTTLS"
        case .authenticate: "AUTHENTICATE"
        case .login: "LOGIN"
        case .enable: "ENABLE"
        case .namespace: "NAMESPACE"
        case .select: "SELECT"
        case .examine: "EXAMINE"
        case .create: "CREATE"
        case .delete: "DELETE"
        case .rename: "RENAME"
        case .subscribe: "SUBSCRIBE"
        case .unsubscribe: "UNSUBSCRIBE"
        case .list: "LIST"
        case .lsub: "LSUB"
        case .status: "STATUS"
        case .idle: "IDLE"
        case .getQuota: "GETQUOTA"
        case .getQuotaRoot: "GETQUOTAROOT"
        case .setQuota: "SETQUOTA"
        case .check: "CHECK"
        case .close: "CLOSE"
        case .unselect: "UNSELECT"
        case .expunge: "EXPUNGE"
        case .uidExpunge: "UID EXPUNGE"
        case .search(let search): Self.uid(search.byUID, "SEARCH")
        case .fetch(let fetch): Self.uid(fetch.byUID, "FETCH")
        case .store(let store): Self.uid(store.byUID, "STORE")
        case .copy(let copy): Self.uid(copy.byUID, "COPY")
        case .move(let move): Self.uid(move.byUID, "MOVE")
        case .sort(let sort): Self.uid(sort.byUID, "SORT")
        case .thread(let thread): Self.uid(thread.byUID, "THREAD")
        }
    }

    private static func uid(_ byUID: Bool, _ name: String) -> String { byUID ? "UID " + name : name }
}
