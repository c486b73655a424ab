/// The reply texts of Postfix 3.7's smtpd_check.c, one builder per restriction family, so
/// that a log or a client that greps for Postfix's words finds them.
extension PolicyReply {
    /// `<name>: Class rejected: text` — the common shape (smtpd_check.c check_table_result,
    /// reject_non_fqdn_*, reject_unknown_*).
    static func rejected(_ code: Int, _ dsn: String, name: String, replyClass: String, _ text: String) -> PolicyReply {
        PolicyReply(code: code, enhancedCode: dsn, text: "<\(name)>: \(replyClass) rejected: \(text)")
    }

    /// reject_unauth_destination: `554 5.7.1 <rcpt>: Relay access denied`.
    static func relayDenied(_ code: Int, recipient: String) -> PolicyReply {
        PolicyReply(code: code, enhancedCode: "5.7.1", text: "<\(recipient)>: Relay access denied")
    }

    /// default_rbl_reply: `$rbl_code Service unavailable; $rbl_class [$rbl_what] blocked
    /// using $rbl_domain${rbl_reason?; $rbl_reason}`.
    static func blocked(_ code: Int, replyClass: String, what: String, zone: String, reason: String?) -> PolicyReply {
        let suffix = reason.map { "; \($0)" } ?? ""
        return PolicyReply(
            code: code, enhancedCode: "5.7.1", text: "Service unavailable; \(replyClass) [\(what)] blocked using \(zone)\(suffix)")
    }

    /// reject_unknown_client_hostname (RFC 7372 4.7.25) and
    /// reject_unknown_reverse_client_hostname (4.7.1): `Client host rejected: cannot find
    /// your [reverse ]hostname, [ip]`, without the `<name>:` prefix.
    static func unknownClient(_ code: Int, reverse: Bool, address: String) -> PolicyReply {
        PolicyReply(
            code: code, enhancedCode: reverse ? "4.7.1" : "4.7.25",
            text: "Client host rejected: cannot find your \(reverse ? "reverse " : "")hostname, [\(address)]")
    }

    /// A table or directory lookup that failed (reject_dict_retry): `451 4.3.0 <name>:
    /// Temporary lookup failure`.
    static func temporaryLookupFailure(name: String) -> PolicyReply {
        PolicyReply(code: 451, enhancedCode: "4.3.0", text: "<\(name)>: Temporary lookup failure")
    }
}
