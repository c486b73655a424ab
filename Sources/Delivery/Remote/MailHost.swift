import MoatCore

/// One address of one SMTP server to try: what an MX (or relayhost) lookup yields.
struct MailHost: Sendable, Hashable, CustomStringConvertible {
    /// The MX exchange or relayhost name (the address itself for an address literal).
    var name: String
    var address: IPAddress
    var port: Int
    /// The MX preference; 0 for implicit MX and relayhosts.
    var preference: Int

    /// `mx.example[192.0.2.1]`, Postfix's "namaddr".
    var description: String { "\(name)[\(address)]" }

    /// `mx.example[192.0.2.1]:25`, as in Postfix's `relay=` and connect errors.
    var endpoint: String { "\(description):\(port)" }
}
