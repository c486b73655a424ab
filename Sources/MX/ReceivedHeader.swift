import Foundation
import MoatCore
import Notices
import SMTP

/// The trace header the MX prepends, in Postfix smtpd's layout, so SpamAssassin's Received
/// parsing (and every admin) reads it as usual:
///
///     Received: from helo.example (mail.example [192.0.2.1])
///     	(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))
///     	by mx.example.com with ESMTPS id 1A2B3C4D5E6F7
///     	for <alice@example.com>; Fri,  4 Dec 2026 22:00:00 +0000 (UTC)
enum ReceivedHeader {
    static func build(_ transaction: SMTPTransaction, hostname: String, queueID: String, date: Date) -> [UInt8] {
        let client = transaction.envelope.client
        let name = client.hostname ?? "unknown"
        // IPAddress writes an IPv4-mapped address (a dual-stack listener's view of an IPv4
        // client) as plain IPv4.
        let address = client.address.map { IPAddress($0)?.description ?? $0 }
            .map { $0.contains(":") ? "IPv6:\($0)" : $0 } ?? "unknown"
        var text = "Received: from \(client.helo ?? name) (\(name) [\(address)])\r\n"
        if let tls = transaction.tls { text += "\t(\(tls.receivedClause))\r\n" }
        text += "\tby \(hostname) with \(transaction.protocolName) id \(queueID)"
        let recipients = transaction.envelope.recipients
        if recipients.count == 1 {
            text += "\r\n\tfor \(recipients[0].bracketed); \(RFC5322Date.format(date))\r\n"
        } else {
            text += ";\r\n\t\(RFC5322Date.format(date))\r\n"
        }
        // A client's HELO may be 2,000 octets (the command line limit): keep within 998.
        return Array(HeaderFolding.bounded(text).utf8)
    }
}
