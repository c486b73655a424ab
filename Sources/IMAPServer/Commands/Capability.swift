import IMAP

extension IMAPSession {
    /// What this server offers now (RFC 9051 §6.1.1): before login the login methods, after
    /// it the extensions. Only what works is listed: imaptest and clients go by it.
    var capabilities: [String] {
        var list = ["IMAP4rev1", "IMAP4rev2", "SASL-IR", "LITERAL+", "ID", "ENABLE", "IDLE"]
        guard state == .notAuthenticated else {
            return list + Self.authenticatedExtensions + ["APPENDLIMIT=\(settings.appendLimit)"]
        }
        if tlsAvailable && !tlsActive { list.append("STARTTLS") }
        if plaintext.allows(peer: peer, tlsActive: tlsActive) {
            list.append("AUTH=PLAIN")
        } else {
            list.append("LOGINDISABLED")
        }
        return list
    }

    static let authenticatedExtensions = [
        "NAMESPACE", "UNSELECT", "UIDPLUS", "MOVE", "CHILDREN", "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE",
        "MULTIAPPEND", "CONDSTORE", "QRESYNC", "STATUS=SIZE", "QUOTA", "QUOTA=RES-STORAGE",
    ] + searchExtensions + fetchExtensions

    func capability(_ tag: Tag) -> Next {
        send(.capability(capabilities))
        ok(tag, "Capability completed.")
        return .goOn
    }
}
