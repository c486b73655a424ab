/// The command table: the name after the tag selects one rule.
extension GrammarParser {
    /// The names `command()` knows: a synchronizing literal of any other command is refused
    /// before the client sends it.
    static let commandNames: Set<String> = [
        "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "CHECK", "CLOSE", "UNSELECT", "EXPUNGE", "IDLE", "NAMESPACE", "ID",
        "ENABLE", "AUTHENTICATE", "LOGIN", "SELECT", "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE",
        "LIST", "LSUB", "STATUS", "APPEND", "GETQUOTA", "GETQUOTAROOT", "SETQUOTA", "UID", "SEARCH", "FETCH", "STORE",
        "COPY", "MOVE", "SORT", "THREAD",
    ]

    mutating func command() throws(GrammarError) -> Command {
        let name = try keyword()
        switch name {
        case "CAPABILITY": return .capability
        case "NOOP": return .noop
        case "LOGOUT": return .logout
        case "STARTTLS": return .startTLS
        case "CHECK": return .check
        case "CLOSE": return .close
        case "UNSELECT": return .unselect
        case "EXPUNGE": return .expunge
        case "IDLE": return .idle
        case "NAMESPACE": return .namespace
        case "ID": return .id(try idParameters())
        case "ENABLE": return .enable(try enable())
        case "AUTHENTICATE": return try authenticate()
        case "LOGIN": return try login()
        case "SELECT":
            let (mailbox, parameters) = try select()
            return .select(mailbox, parameters)
        case "EXAMINE":
            let (mailbox, parameters) = try select()
            return .examine(mailbox, parameters)
        case "CREATE": return try create()
        case "DELETE":
            try space()
            return .delete(try mailbox())
        case "RENAME":
            try space()
            let from = try mailbox()
            try space()
            return .rename(from: from, to: try mailbox())
        case "SUBSCRIBE":
            try space()
            return .subscribe(try mailbox())
        case "UNSUBSCRIBE":
            try space()
            return .unsubscribe(try mailbox())
        case "LIST": return .list(try list())
        case "LSUB":
            try space()
            let reference = try mailbox()
            try space()
            return .lsub(reference: reference, pattern: try listMailbox())
        case "STATUS": return try status()
        case "APPEND":
            // With a message literal the framer streams it (`parseAppendStart`): this APPEND has none.
            try space()
            _ = try mailbox()
            throw .syntax(take(word: " CATENATE") ? "CATENATE is not supported" : "APPEND without a message literal")
        case "GETQUOTA":
            try space()
            return .getQuota(root: try astring())
        case "GETQUOTAROOT":
            try space()
            return .getQuotaRoot(try mailbox())
        case "SETQUOTA": return try setQuota()
        case "UID": return try uidCommand()
        default:
            return try selectedStateCommand(name, byUID: false)
        }
    }

    /// `uid = "UID" SP ("COPY" / "MOVE" / "FETCH" / "SEARCH" / "STORE" / "SORT" / "THREAD" /
    /// "EXPUNGE" SP sequence-set)`
    private mutating func uidCommand() throws(GrammarError) -> Command {
        try space()
        let name = try keyword()
        if name == "EXPUNGE" {
            try space()
            return .uidExpunge(try sequenceSet())
        }
        return try selectedStateCommand(name, byUID: true)
    }

    private mutating func selectedStateCommand(_ name: String, byUID: Bool) throws(GrammarError) -> Command {
        switch name {
        case "SEARCH": return .search(try search(byUID: byUID))
        case "FETCH": return .fetch(try fetch(byUID: byUID))
        case "STORE": return .store(try store(byUID: byUID))
        case "COPY": return .copy(try copy(byUID: byUID))
        case "MOVE": return .move(try copy(byUID: byUID))
        case "SORT": return .sort(try sort(byUID: byUID))
        case "THREAD": return .thread(try thread(byUID: byUID))
        default:
            throw GrammarError(kind: .unknownCommand(name), message: byUID ? "Unknown UID command" : "Unknown command")
        }
    }

    /// `copy = "COPY" SP sequence-set SP mailbox`; `move = "MOVE" SP sequence-set SP mailbox`
    private mutating func copy(byUID: Bool) throws(GrammarError) -> CopyCommand {
        try space()
        let set = try sequenceSet()
        try space()
        return CopyCommand(byUID: byUID, set: set, mailbox: try mailbox())
    }
}
