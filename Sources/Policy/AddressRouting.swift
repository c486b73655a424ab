import MoatCore

/// Where a recipient address would go, decided the strict way a filter gateway must:
/// only an address whose domain is, after normalisation, exactly one of our local or relay
/// domains and whose local part carries no routing is ours. Everything else is "elsewhere"
/// and, from a client outside mynetworks, refused by reject_unauth_destination.
///
/// Postfix is the reference with `allow_untrusted_routing = no`: it resolves `%`
/// (allow_percent_hack) and `!` (swap_bangpath) into a routed address and then refuses to
/// relay it (RESOLVE_FLAG_ROUTED). Moat does no such rewriting at all, so the delivery side
/// never sees a routed address as local; the tricks below are all "elsewhere":
/// - `user%other.example@local.example` — percent hack;
/// - `other!user@local.example` — UUCP bang path;
/// - `@a.example:user@b.example` — RFC 5321 4.1.2 source route (kept in the local part
///   by a lenient parser);
/// - `"user@other.example"@local.example` — a quoted local part with `@`, `%` or `!`;
/// - `user@[192.0.2.1]` — address literals (Postfix accepts its own addresses; a gateway
///   has no business doing so);
/// - `user@local.example.` / `user@local.example..` — a domain still ending in a dot
///   (`EmailAddress` parsing drops one trailing dot, as Postfix does, so the plain form
///   arrives without it);
/// - `user@localhost` — a domain without a dot is never a destination;
/// - look-alikes: only ASCII letters are case-folded; any non-ASCII domain is compared
///   byte for byte (no Unicode case folding or NFKC), so `ｌocal.example` (fullwidth) or a
///   Cyrillic `а` can never equal an ASCII local domain.
public enum AddressRouting {
    /// The classification of one recipient.
    public enum Destination: Sendable, Hashable {
        /// Final delivery in one of our domains (normalised name).
        case local(domain: String)
        /// One of our relay domains (normalised name).
        case relay(domain: String)
        /// Anything else, including every routed or malformed address.
        case elsewhere(reason: String)
    }

    /// The domain as the directory and the delivery side key it: ASCII lowercase.
    /// Non-ASCII bytes are kept as they are: folding them is how look-alikes get in.
    public static func normalisedDomain(_ domain: String) -> String {
        String(decoding: domain.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// Why the address cannot name one of our mailboxes whatever its domain, or nil.
    public static func routingTrick(in address: EmailAddress) -> String? {
        if address.isNull { return "null address" }
        let local = address.localPart
        if local.isEmpty { return "empty local part" }
        if local.hasPrefix("@") || local.contains(":") && local.contains("@") { return "source route" }
        if local.contains("@") { return "'@' in local part" }
        if local.contains("%") { return "percent hack" }
        if local.contains("!") { return "bang path" }
        if local.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return "control character in local part" }
        let domain = address.domain
        if domain.hasPrefix("[") || IPAddress(domain) != nil { return "address literal" }
        if domain.isEmpty || domain.hasSuffix(".") || domain.hasPrefix(".") || domain.contains("..") {
            return "malformed domain"
        }
        if !domain.contains(".") { return "domain without a dot" }
        if !EmailAddress.isValidDomain(Substring(domain)) { return "invalid domain" }
        return nil
    }

    /// Classifies a recipient against the directory. Throws what the directory throws.
    public static func destination(of address: EmailAddress, in directory: any RecipientDirectory) async throws
        -> Destination
    {
        if let trick = routingTrick(in: address) { return .elsewhere(reason: trick) }
        let domain = normalisedDomain(address.domain)
        if try await directory.isLocalDomain(domain) { return .local(domain: domain) }
        if try await directory.isRelayDomain(domain) { return .relay(domain: domain) }
        return .elsewhere(reason: "not a local or relay domain")
    }
}
