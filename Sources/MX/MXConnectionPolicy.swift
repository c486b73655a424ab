import DNS
import Logging
import MoatCore
import Policy
import SMTP

/// The MX's answer at MAIL (room in the queue), and to each RCPT and DATA: the `[mx.restrictions]` lists with Postfix's
/// semantics (smtpd_delay_reject = yes), then, as Postfix's smtpd_reject_unlisted_recipient
/// = yes, an unknown user in a local or relay domain is refused even when a list permitted.
public struct MXServerPolicy: SMTPServerPolicy {
    public let evaluator: RestrictionEvaluator
    /// Runs only `reject_unlisted_recipient` (Postfix applies it after the lists).
    private let unlisted: RestrictionEvaluator
    public let resolver: any Resolver
    public let clientLookupTimeout: Duration
    /// Asked at MAIL FROM; nil takes every sender without looking at the disk.
    public let spoolSpace: SpoolSpaceCheck?
    private let logger: Logger

    public init(policy: RestrictionPolicy, resolver: any Resolver, directory: any RecipientDirectory,
                clientLookupTimeout: Duration, spoolSpace: SpoolSpaceCheck? = nil, logger: Logger) {
        self.evaluator = RestrictionEvaluator(policy: policy, resolver: resolver, directory: directory)
        self.unlisted = RestrictionEvaluator(
            policy: RestrictionPolicy(lists: [.recipient: [.rejectUnlistedRecipient]], mynetworks: policy.mynetworks,
                                      codes: policy.codes),
            resolver: resolver, directory: directory)
        self.resolver = resolver
        self.clientLookupTimeout = clientLookupTimeout
        self.spoolSpace = spoolSpace
        self.logger = logger
    }

    /// Looks the client's names up before the greeting, as Postfix's smtpd does.
    public func connect(peerAddress: String?, localPort: Int?) async -> Result<any SMTPConnectionPolicy, SMTPRefusal> {
        guard let text = peerAddress, let address = IPAddress(text) else {
            return .failure(SMTPRefusal(SMTPReply(421, "4.3.0", "Error: cannot tell the client address")))
        }
        let names = await ClientNames.lookup(address, resolver: resolver, timeout: clientLookupTimeout)
        return .success(MXConnection(address: address, names: names, evaluator: evaluator, unlisted: unlisted,
                                     spoolSpace: spoolSpace, logger: logger))
    }
}

/// One client connection's view of the policy.
struct MXConnection: SMTPConnectionPolicy {
    let address: IPAddress
    let names: ClientNames
    let evaluator: RestrictionEvaluator
    let unlisted: RestrictionEvaluator
    let spoolSpace: SpoolSpaceCheck?
    let logger: Logger

    var clientHostname: String? { names.hostnameStatus == .ok ? names.hostname : nil }

    func checkMail(_ request: SMTPPolicyRequest) async -> SMTPReply? {
        spoolSpace?.refusal(declaredSize: request.declaredSize).map { log($0, request, stage: "MAIL") }
    }

    func checkRecipient(_ request: SMTPPolicyRequest) async -> SMTPReply? {
        let context = context(request)
        if let refusal = Self.reply(await evaluator.checkRecipient(context)) { return log(refusal, request, stage: "RCPT") }
        if let refusal = Self.reply(await unlisted.checkRecipient(context)) { return log(refusal, request, stage: "RCPT") }
        return nil
    }

    func checkData(_ request: SMTPPolicyRequest) async -> SMTPReply? {
        Self.reply(await evaluator.checkData(context(request))).map { log($0, request, stage: "DATA") }
    }

    private func context(_ request: SMTPPolicyRequest) -> PolicyContext {
        PolicyContext(clientAddress: address, clientNames: names, helo: request.helo, sender: request.sender,
                      recipient: request.recipient, declaredSize: request.declaredSize,
                      pipelinedIllegally: request.pipelinedIllegally)
    }

    static func reply(_ decision: PolicyDecision) -> SMTPReply? {
        decision.reply.map { SMTPReply($0.code, $0.enhancedCode, $0.text) }
    }

    /// Postfix's `NOQUEUE: reject: RCPT from …` line.
    private func log(_ reply: SMTPReply, _ request: SMTPPolicyRequest, stage: String) -> SMTPReply {
        let from = (request.sender?.description ?? "").printable
        let to = (request.recipient?.description ?? "").printable
        logger.info("NOQUEUE: reject: \(stage) from \(names.hostname)[\(address)]: \(reply.description.printable); from=<\(from)> to=<\(to)> proto=\(request.helo == nil ? "SMTP" : "ESMTP") helo=<\(request.helo ?? "")>")
        return reply
    }
}
