/// A Maildir++ quota: at most `bytes` stored bytes and `messages` messages, either
/// unlimited when nil. Written as the first line of `maildirsize`: `10485760S,1000C`.
public struct QuotaLimit: Sendable, Hashable {
    public var bytes: Int64?
    public var messages: Int64?

    public init(bytes: Int64? = nil, messages: Int64? = nil) {
        self.bytes = bytes
        self.messages = messages
    }

    /// `<bytes>S,<count>C`, omitting an unlimited part; `0S` when both are (Courier's
    /// maildirmake writes nothing else for "no limit", and a header line must exist).
    public var headerLine: String {
        var parts: [String] = []
        if let bytes { parts.append("\(bytes)S") }
        if let messages { parts.append("\(messages)C") }
        return parts.isEmpty ? "0S" : parts.joined(separator: ",")
    }

    /// Parses a `maildirsize` header line; nil if any part is not `<digits>S` or
    /// `<digits>C`. A `0` limit means "none" in the Maildir++ spec.
    public init?(headerLine: Substring) {
        var limit = QuotaLimit()
        for part in headerLine.split(separator: ",") {
            guard let unit = part.last, let value = Int64(part.dropLast()), value >= 0 else { return nil }
            switch unit {
            case "S": limit.bytes = value == 0 ? nil : value
            case "C": limit.messages = value == 0 ? nil : value
            default: return nil
            }
        }
        self = limit
    }
}

/// What a Maildir holds against its quota.
public struct QuotaStatus: Sendable, Hashable {
    public var usedBytes: Int64
    public var usedMessages: Int64
    public var limit: QuotaLimit

    public init(usedBytes: Int64, usedMessages: Int64, limit: QuotaLimit) {
        self.usedBytes = usedBytes
        self.usedMessages = usedMessages
        self.limit = limit
    }

    /// True if one more message of `size` bytes would go over either limit.
    public func wouldExceed(size: Int64) -> Bool {
        if let bytes = limit.bytes, usedBytes + size > bytes { return true }
        if let messages = limit.messages, usedMessages + 1 > messages { return true }
        return false
    }

    /// True if the Maildir is already over a limit (possible: Maildir++ quotas are soft,
    /// concurrent deliveries may each pass the check).
    public var isOver: Bool {
        if let bytes = limit.bytes, usedBytes > bytes { return true }
        if let messages = limit.messages, usedMessages > messages { return true }
        return false
    }
}
