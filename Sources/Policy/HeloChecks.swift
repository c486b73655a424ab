import DNS

/// Restrictions on the HELO/EHLO argument. Each is skipped before HELO (Postfix: no
/// helo_name, no opinion; helo_required is the session's business).
enum HeloChecks {
    typealias Verdict = RestrictionEvaluator.Verdict
    private static let replyClass = PolicyStage.helo.replyClass

    /// reject_invalid_helo_hostname: `501 5.5.2 <helo>: Helo command rejected: Invalid name`,
    /// or `… invalid ip address` for a bracketed literal that is not one.
    static func invalid(_ helo: String?, _ codes: RejectCodes) -> Verdict {
        guard let helo else { return .dunno }
        if HostnameSyntax.isAddressLiteral(helo) {
            return HostnameSyntax.isValidAddressLiteral(helo)
                ? .dunno : .reject(.rejected(codes.invalidHostname, "5.5.2", name: helo, replyClass: replyClass, "invalid ip address"))
        }
        if HostnameSyntax.isValidHostname(helo) || HostnameSyntax.isValidAddressLiteral(helo) { return .dunno }
        return .reject(.rejected(codes.invalidHostname, "5.5.2", name: helo, replyClass: replyClass, "Invalid name"))
    }

    /// reject_non_fqdn_helo_hostname: `504 5.5.2 <helo>: Helo command rejected: need
    /// fully-qualified hostname`; address literals are left to reject_invalid_helo_hostname.
    static func nonFQDN(_ helo: String?, _ codes: RejectCodes) -> Verdict {
        guard let helo, !HostnameSyntax.isAddressLiteral(helo) else { return .dunno }
        let name = HostnameSyntax.withoutTrailingDot(helo)
        if HostnameSyntax.isValidHostname(name) && name.contains(".") { return .dunno }
        return .reject(.rejected(codes.nonFQDN, "5.5.2", name: helo, replyClass: replyClass, "need fully-qualified hostname"))
    }

    /// reject_unknown_helo_hostname: no A, AAAA or MX → `450 4.7.1 <helo>: Helo command
    /// rejected: Host not found` (unknown_hostname_reject_code); a DNS failure defers if
    /// nothing rejects later. Address literals are skipped.
    static func unknown(_ helo: String?, _ resolver: any Resolver, _ codes: RejectCodes) async -> Verdict {
        guard let helo, !HostnameSyntax.isAddressLiteral(helo) else { return .dunno }
        switch await HostLookup.host(HostnameSyntax.withoutTrailingDot(helo), resolver) {
        case .found, .nullMX: return .dunno
        case .notFound:
            return .reject(.rejected(codes.unknownHostname, "4.7.1", name: helo, replyClass: replyClass, "Host not found"))
        case .temporaryFailure:
            return .deferIfPermit(.rejected(450, "4.7.1", name: helo, replyClass: replyClass, "Host not found"))
        }
    }
}
