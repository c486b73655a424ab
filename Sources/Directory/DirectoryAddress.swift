import MoatCore

/// The directory's spelling of names: lowercase, as Postfix lowercases lookup keys and
/// Postfix Admin stores them, so `Alice@Example.COM` and `alice@example.com` are one row.
enum DirectoryAddress {
    /// A hosted domain name: LDH labels (UTF-8 allowed), no address literal, no final dot.
    static func domain(_ text: String) throws(DirectoryError) -> String {
        var name = Substring(text)
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.hasPrefix("["), name.contains("."), EmailAddress.isValidDomain(name) else {
            throw .invalidDomain(text)
        }
        return name.lowercased()
    }

    /// A mailbox address, `local@domain` with a local part that is safe as a directory
    /// name in `<mail_root>/<domain>/<user>/Maildir`: unquoted, no `/`.
    static func mailbox(_ text: String) throws(DirectoryError) -> (address: String, local: String, domain: String) {
        let (local, domain) = try split(text)
        guard !local.contains("/") else { throw .invalidAddress(text, reason: "a mailbox name must not contain '/'") }
        return ("\(local)@\(domain)", local, domain)
    }

    /// An alias address: `local@domain`, or the catch-all `@domain`.
    static func aliasSource(_ text: String) throws(DirectoryError) -> (address: String, domain: String) {
        if text.hasPrefix("@") {
            let domain = try domain(String(text.dropFirst()))
            return ("@\(domain)", domain)
        }
        let (local, domain) = try split(text)
        return ("\(local)@\(domain)", domain)
    }

    /// An alias target: any deliverable address, in this or another domain.
    static func target(_ text: String) throws(DirectoryError) -> String {
        let (local, domain) = try split(text)
        return "\(local)@\(domain)"
    }

    /// Splits and lowercases an unquoted `local@domain`. Quoted local parts are refused:
    /// they cannot be typed as table keys without ambiguity, and Postfix Admin refuses them too.
    private static func split(_ text: String) throws(DirectoryError) -> (local: String, domain: String) {
        guard !text.hasPrefix("\"") else { throw .invalidAddress(text, reason: "quoted local parts are not supported") }
        guard let address = EmailAddress(parsing: text) else { throw .invalidAddress(text, reason: "not local@domain") }
        let domain: String
        do { domain = try Self.domain(address.domain) } catch { throw .invalidAddress(text, reason: "\(error)") }
        return (address.localPart.lowercased(), domain)
    }
}
