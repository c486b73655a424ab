import DNS
import MoatCore

/// Restrictions on the connecting client: DNS lists, its names, access tables.
enum ClientChecks {
    typealias Verdict = RestrictionEvaluator.Verdict

    /// reject_rbl_client: the reversed address under the zone; a listing is an A answer
    /// that passes the filter; the TXT record, when there is one, becomes the reason. A
    /// lookup failure is "not listed" (Postfix logs it and goes on), so a dead list never
    /// blocks mail.
    static func rbl(_ list: DNSListQuery, _ context: PolicyContext, _ resolver: any Resolver, _ codes: RejectCodes) async -> Verdict {
        let name = "\(context.clientAddress.reversedLabels).\(list.zone)"
        guard let answers = try? await resolver.lookupA(name), answers.contains(where: list.matches) else { return .dunno }
        let reason = (try? await resolver.lookupTXT(name))?.first
        return .reject(.blocked(codes.rbl, replyClass: "Client host", what: context.clientAddress.description,
                                zone: list.zone, reason: reason))
    }

    /// reject_unknown_client_hostname / reject_unknown_reverse_client_hostname: a
    /// temporary failure answers 450 whatever unknown_client_reject_code says.
    static func unknownClient(reverse: Bool, _ context: PolicyContext, _ codes: RejectCodes) -> Verdict {
        let status = reverse ? context.reverseHostnameStatus : context.clientHostnameStatus
        switch status {
        case .ok: return .dunno
        case .temporaryFailure:
            return .reject(.unknownClient(450, reverse: reverse, address: context.clientAddress.description))
        case .permanentFailure:
            return .reject(.unknownClient(codes.unknownClient, reverse: reverse, address: context.clientAddress.description))
        }
    }

    /// What an access table entry means (smtpd_check.c check_table_result).
    static func access(_ action: AccessAction?, name: String, replyClass: String, _ codes: RejectCodes) -> Verdict {
        guard let action else { return .dunno }
        switch action {
        case .permit: return .permit
        case .dunno: return .dunno
        case .reject(let code, let dsn, let text):
            let code = code == 554 && dsn == nil && text == nil ? codes.accessMapReject : code
            return .reject(.rejected(code, dsn ?? "5.7.1", name: name, replyClass: replyClass, text ?? "Access denied"))
        case .defer(let code, let dsn, let text):
            return .deferNow(.rejected(code == 450 ? codes.accessMapDefer : code, dsn ?? "4.7.1", name: name,
                                       replyClass: replyClass, text ?? "Access denied"))
        case .deferIfPermit(let dsn, let text):
            return .deferIfPermit(.rejected(codes.accessMapDefer, dsn ?? "4.7.1", name: name, replyClass: replyClass,
                                            text ?? "Access denied"))
        }
    }
}
