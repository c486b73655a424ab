import DNS
import MoatCore

/// Runs the restriction lists with Postfix's semantics for smtpd_delay_reject=yes:
/// at RCPT the client, helo, sender, relay and recipient lists run in that order; within a list
/// the first restriction with an opinion ends the list (`permit` ends that list only, a
/// reject or defer ends everything); a temporary DNS failure in a reject_unknown_* check
/// is remembered as "defer if permit" (reject_tempfail_action) and answered 450 at the end
/// unless a later restriction rejects outright.
///
/// The only I/O is DNS through `resolver` and the caller's `directory`.
public struct RestrictionEvaluator: Sendable {
    public let policy: RestrictionPolicy
    public let resolver: any Resolver
    public let directory: any RecipientDirectory

    public init(policy: RestrictionPolicy, resolver: any Resolver, directory: any RecipientDirectory) {
        self.policy = policy
        self.resolver = resolver
        self.directory = directory
    }

    /// The decision for one RCPT TO: `.permit`, `.reject` or `.defer`, never `.dunno`.
    public func checkRecipient(_ context: PolicyContext) async -> PolicyDecision {
        await run([.client, .helo, .sender, .relay, .recipient], context)
    }

    /// The decision at DATA (smtpd_data_restrictions), recipient-specific checks skipped.
    public func checkData(_ context: PolicyContext) async -> PolicyDecision {
        await run([.data], context)
    }

    /// What one restriction says; `deferIfPermit` is Postfix's DEFER_IF_PERMIT.
    enum Verdict: Equatable {
        case permit
        case dunno
        case reject(PolicyReply)
        case deferNow(PolicyReply)
        case deferIfPermit(PolicyReply)
    }

    private func run(_ stages: [PolicyStage], _ context: PolicyContext) async -> PolicyDecision {
        var pendingDefer: PolicyReply?
        for stage in stages {
            list: for restriction in policy.list(stage) {
                switch await evaluate(restriction, stage: stage, context) {
                case .permit: break list
                case .dunno: continue
                case .reject(let reply): return reply.isTemporary ? .defer(reply) : .reject(reply)
                case .deferNow(let reply): return .defer(reply)
                case .deferIfPermit(let reply): pendingDefer = pendingDefer ?? reply
                }
            }
        }
        if let pendingDefer { return .defer(pendingDefer) }
        return .permit
    }

    /// Postfix's reply_name for restrictions that speak for their list.
    private func replyName(_ stage: PolicyStage, _ context: PolicyContext) -> String {
        switch stage {
        case .client: context.clientNameAndAddress
        case .helo: context.helo ?? ""
        case .sender: context.sender?.description ?? ""
        case .relay, .recipient: context.recipient?.description ?? ""
        case .data: "DATA"
        }
    }

    private func evaluate(_ restriction: Restriction, stage: PolicyStage, _ context: PolicyContext) async -> Verdict {
        let codes = policy.codes
        switch restriction {
        case .permit:
            return .permit
        case .reject:
            return .reject(.rejected(codes.reject, "5.7.1", name: replyName(stage, context), replyClass: stage.replyClass, "Access denied"))
        case .rejectUnauthPipelining:
            guard context.pipelinedIllegally else { return .dunno }
            return .reject(.rejected(503, "5.5.0", name: replyName(stage, context), replyClass: stage.replyClass,
                                     "Improper use of SMTP command pipelining"))
        case .permitMynetworks:
            return policy.mynetworks.contains(context.clientAddress) ? .permit : .dunno
        case .permitSASLAuthenticated:
            return context.saslUsername.map { !$0.isEmpty } == true ? .permit : .dunno
        case .rejectRBLClient(let list):
            return await ClientChecks.rbl(list, context, resolver, codes)
        case .rejectUnknownClientHostname:
            return ClientChecks.unknownClient(reverse: false, context, codes)
        case .rejectUnknownReverseClientHostname:
            return ClientChecks.unknownClient(reverse: true, context, codes)
        case .checkClientAccess(let table):
            let hit = table.lookupClient(hostname: context.clientHostname, address: context.clientAddress)
            return ClientChecks.access(hit, name: context.clientNameAndAddress, replyClass: PolicyStage.client.replyClass, codes)
        case .checkSenderAccess(let table):
            guard let sender = context.sender else { return .dunno }
            return ClientChecks.access(table.lookupSender(sender), name: sender.isNull ? "" : sender.description,
                                       replyClass: PolicyStage.sender.replyClass, codes)
        case .rejectInvalidHeloHostname:
            return HeloChecks.invalid(context.helo, codes)
        case .rejectNonFQDNHeloHostname:
            return HeloChecks.nonFQDN(context.helo, codes)
        case .rejectUnknownHeloHostname:
            return await HeloChecks.unknown(context.helo, resolver, codes)
        case .rejectNonFQDNSender:
            guard let sender = context.sender else { return .dunno }
            return AddressChecks.nonFQDN(sender, replyClass: PolicyStage.sender.replyClass, codes)
        case .rejectNonFQDNRecipient:
            guard let recipient = context.recipient else { return .dunno }
            return AddressChecks.nonFQDN(recipient, replyClass: PolicyStage.recipient.replyClass, codes)
        case .rejectUnknownSenderDomain:
            guard let sender = context.sender else { return .dunno }
            return await AddressChecks.unknownSenderDomain(sender, resolver, directory, codes)
        case .rejectRHSBLSender(let list):
            guard let sender = context.sender else { return .dunno }
            return await AddressChecks.rhsblSender(list, sender, resolver, codes)
        case .rejectUnauthDestination, .permitAuthDestination:
            guard let recipient = context.recipient else { return .dunno }
            let authorised: Bool
            do {
                authorised = try await AddressRouting.destination(of: recipient, in: directory).isAuthorised
            } catch {
                return .deferNow(.temporaryLookupFailure(name: recipient.description))
            }
            if case .permitAuthDestination = restriction { return authorised ? .permit : .dunno }
            return authorised ? .dunno : .reject(.relayDenied(codes.relay, recipient: recipient.description))
        case .rejectUnlistedRecipient:
            guard let recipient = context.recipient else { return .dunno }
            return await AddressChecks.unlistedRecipient(recipient, declaredSize: context.declaredSize, directory, codes)
        }
    }
}

extension AddressRouting.Destination {
    /// Local or relay: mail a client outside mynetworks may send here.
    var isAuthorised: Bool {
        switch self {
        case .local, .relay: true
        case .elsewhere: false
        }
    }
}
