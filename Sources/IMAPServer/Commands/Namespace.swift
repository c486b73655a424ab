import IMAP

extension IMAPSession {
    /// NAMESPACE (RFC 2342): one personal namespace, Maildir++'s "." separator, as Dovecot.
    func namespace(_ tag: Tag) -> Next {
        send(.namespace(NamespaceResponse(personal: [Namespace(prefix: "", delimiter: ".")])))
        ok(tag, "Namespace completed.")
        return .goOn
    }
}
