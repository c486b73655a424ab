import Foundation
import Queue

/// The text of `moat queue list` and `show`, in mailq's shape: the ID (`!` when held),
/// size, arrival and sender on one line, then each recipient still to do, preceded by
/// its last status in parentheses.
enum QueueListing {
    static func lines(_ entry: SpoolEntry) -> [String] {
        let envelope = entry.envelope
        let id = envelope.id + (entry.location == .hold ? "!" : "")
        let sender = envelope.sender.isEmpty ? "MAILER-DAEMON" : envelope.sender
        var lines = [pad(id, 17) + " " + leftPad("\(entry.messageSize)", 8) + " " + arrival(envelope.arrival) + "  " + sender]
        let indent = String(repeating: " ", count: 48)
        for recipient in envelope.recipients where recipient.state != .delivered {
            if let text = recipient.text {
                let state = recipient.state == .failed ? "failed: " : ""
                lines.append(indent + "(\(state)\(text))")
            }
            lines.append(indent + recipient.address)
        }
        return lines
    }

    /// `moat queue show`'s envelope block.
    static func envelope(_ entry: SpoolEntry) -> [String] {
        let e = entry.envelope
        var lines = [
            "queue_id:     \(e.id)",
            "state:        \(entry.location == .hold ? "held" : e.nextAttempt > Date().timeIntervalSince1970 ? "deferred" : "active")",
            "size:         \(entry.messageSize)",
            "arrival:      \(iso(e.arrival))",
            "attempts:     \(e.attempts)",
            "next_attempt: \(iso(e.nextAttempt))",
            "sender:       <\(e.sender)>",
        ]
        if let envid = e.envelopeID { lines.append("envelope_id:  \(envid)") }
        if let client = e.clientAddress { lines.append("client:       \(client)\(e.clientHelo.map { " (helo \($0))" } ?? "")") }
        for r in e.recipients {
            var line = "recipient:    <\(r.address)> \(r.state.rawValue)"
            if let status = r.status { line += " \(status)" }
            if let text = r.text { line += " (\(text))" }
            lines.append(line)
        }
        return lines
    }

    /// `Wed Dec  2 16:00:00`, UTC, as mailq prints arrival times.
    private static func arrival(_ time: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE MMM d HH:mm:ss"
        var text = formatter.string(from: Date(timeIntervalSince1970: time))
        // mailq pads a one-digit day with a space so the columns line up.
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        if parts.count == 4, parts[2].count == 1 { text = "\(parts[0]) \(parts[1])  \(parts[2]) \(parts[3])" }
        return text
    }

    private static func iso(_ time: Double) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: time))
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    private static func leftPad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
