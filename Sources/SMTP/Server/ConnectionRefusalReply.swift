import NetworkService

extension ConnectionAdmission.Refusal {
    /// What an SMTP client is told instead of the greeting, in Postfix's words.
    public func reply(hostname: String, peer: String?) -> SMTPReply {
        switch self {
        case .notAllowed: SMTPReply(554, "5.7.1", "\(hostname) Error: access denied for \(peer ?? "unknown")")
        case .tooMany: SMTPReply(421, "4.3.2", "\(hostname) Error: too many connections")
        case .tooManyFromClient, .rateExceeded:
            SMTPReply(421, "4.7.0", "\(hostname) Error: too many connections from \(peer ?? "unknown")")
        }
    }
}
