import IMAP

extension IMAPSession {
    /// ENABLE (RFC 5161): turns on what it knows (CONDSTORE, QRESYNC, IMAP4rev2) and says
    /// which in `* ENABLED`; unknown names are ignored. UTF8=ACCEPT (RFC 6855) is not offered:
    /// it needs APPEND's UTF8 data item, which the parser does not take yet.
    func enable(_ tag: Tag, _ names: [String]) -> Next {
        let known = ["CONDSTORE", "QRESYNC", "IMAP4REV2"]
        var turnedOn: [String] = []
        for name in names.map({ $0.uppercased() }) where known.contains(name) && !enabled.contains(name) {
            enabled.insert(name)
            turnedOn.append(name == "IMAP4REV2" ? "IMAP4rev2" : name)
            if name == "QRESYNC" { enabled.insert("CONDSTORE") }
        }
        send(.enabled(turnedOn))
        ok(tag, "Enabled.")
        return .goOn
    }
}
