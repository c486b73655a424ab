import IMAP

extension IMAPSession {
    /// ID (RFC 2971): the client's identification goes to the log; the server names only
    /// itself, no version (as the MX banner names no software).
    func id(_ tag: Tag, _ parameters: [IDParameter]?) -> Next {
        if let parameters, !parameters.isEmpty {
            let shown = parameters.prefix(30).map { "\($0)" }.joined(separator: ", ")
            logger.info("imap: client ID: \(String(shown.prefix(512)))")
        }
        send(.id([IDParameter("name", "Moat")]))
        ok(tag, "ID completed.")
        return .goOn
    }
}
