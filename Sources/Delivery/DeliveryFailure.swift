import Queue

/// Why one destination was not delivered in this attempt: an RFC 3463 status, whose class
/// (4 or 5) says whether the queue retries or bounces, and the text that goes into the
/// queue file, the log and the bounce, worded as Postfix words it.
struct DeliveryFailure: Error, Sendable, Hashable, CustomStringConvertible {
    var status: String
    var text: String

    init(_ status: String, _ text: String) {
        self.status = status
        self.text = text
    }

    var isTemporary: Bool { !status.hasPrefix("5") }

    var outcome: DeliveryOutcome {
        isTemporary ? .temporaryFailure(status: status, text: text) : .permanentFailure(status: status, text: text)
    }

    var description: String { "\(status) \(text)" }
}

/// The enhanced status codes (RFC 3463 §3) delivery reports on its own account, each where
/// Postfix's virtual(8) or smtp(8) reports it. Replies from remote servers keep theirs.
enum EnhancedStatus {
    /// X.1.3 bad destination mailbox address syntax.
    static let badAddressSyntax = "5.1.3"
    /// RFC 7505 §4.2: the domain publishes a null MX.
    static let nullMX = "5.1.10"
    /// X.3.0 other mail system problem: a lookup or disk error here.
    static let localError = "4.3.0"
    /// X.4.1 no answer from host: every address refused or timed out the connection.
    static let noAnswer = "4.4.1"
    /// X.4.2 bad connection: lost, or timed out, during the dialogue.
    static let badConnection = "4.4.2"
    /// X.4.3 directory server failure: DNS could not answer.
    static let dnsFailure = "4.4.3"
    /// X.4.4 unable to route: only ourselves (or worse) left among the MX hosts.
    static let unableToRoute = "4.4.4"
    /// X.4.4 as permanent: the host or domain does not exist.
    static let hostNotFound = "5.4.4"
    /// X.4.6 routing loop detected.
    static let mailLoop = "5.4.6"
    /// X.5.0 other protocol status: the server broke the SMTP protocol.
    static let protocolError = "4.5.0"
}
