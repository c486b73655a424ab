import Foundation
import IMAP
import Mailstore

/// Evaluates SEARCH keys (RFC 9051 §6.4.4, RFC 3501, RFC 7162 MODSEQ, RFC 5032 WITHIN)
/// over a mailbox's messages. Keys the index answers (flags, sets, sizes, dates, MODSEQ)
/// never open a file; the others read each candidate message once through `read`.
///
/// Substring keys match as Dovecot does: header values RFC 2047-decoded, BODY/TEXT over
/// decoded text parts in UTF-8, address keys over the parsed addresses (`Name <a@b>`),
/// all compared after `i;unicode-casemap` folding.
public struct SearchEvaluator {
    public let context: SearchContext
    let reader: MessageContentReader

    /// `read` returns a message's bytes by UID (the mailbox's `message(uid:)`).
    public init(context: SearchContext, read: @escaping (MessageUID) throws -> [UInt8]) {
        self.context = context
        self.reader = MessageContentReader(read: read)
    }

    /// The messages matching `key`, in sequence order. `charset` is the command's CHARSET.
    public func search(_ key: SearchKey, charset: String? = nil) throws(SearchError) -> SearchMatches {
        var matched: [MatchedMessage] = []
        let usesModSeq = try forEachMatch(key, charset: charset) { match throws(SearchError) in matched.append(match) }
        return SearchMatches(messages: matched, usesModSeq: usesModSeq)
    }

    /// Calls `body` with each matching message in sequence order, while its parsed content
    /// (if any was needed) is still at hand for sort and thread keys. Returns whether the key
    /// used MODSEQ.
    func forEachMatch(
        _ key: SearchKey, charset: String?, _ body: (MatchedMessage) throws(SearchError) -> Void
    ) throws(SearchError) -> Bool {
        try SearchCharset.validate(charset)
        let compiled = CompiledSearchKey(key, context: context)
        for (index, message) in context.messages.enumerated() {
            let sequence = UInt32(index + 1)
            if try matches(compiled, message, sequence: sequence) {
                try body(MatchedMessage(sequence: sequence, message: message))
            }
        }
        return compiled.usesModSeq
    }

    /// The parsed message, read once per command (see ``MessageContentReader``).
    func content(of message: IndexedMessage) throws(SearchError) -> MessageContent {
        try reader.content(of: message.uid)
    }

    private func matches(_ key: CompiledSearchKey, _ message: IndexedMessage, sequence: UInt32) throws(SearchError) -> Bool {
        switch key {
        case .constant(let value): return value
        case .flag(let flag, let isSet): return message.flags.contains(flag) == isSet
        case .keyword(let name, let isSet): return message.keywords.contains { $0.lowercased() == name } == isSet
        case .sequenceNumbers(let ranges): return ranges.contains { $0.contains(sequence) }
        case .uids(let ranges): return ranges.contains { $0.contains(message.uid) }
        case .savedUIDs(let uids): return uids.contains(message.uid)
        case .internalDay(let test, let day): return Self.compare(internalDay(message), test, day)
        case .internalDateAtOrBefore(let limit): return message.internalDate <= limit
        case .internalDateAtOrAfter(let limit): return message.internalDate >= limit
        case .larger(let size): return message.size > Int64(clamping: size)
        case .smaller(let size): return message.size < Int64(clamping: size)
        case .modSeqAtLeast(let value): return message.modSeq >= value
        case .sentDay(let test, let day):
            // No or unreadable Date: header: Dovecot takes the sent date as 1 Jan 1970
            // (`doveadm search senton 1-Jan-1970` finds such messages); so does Moat.
            return Self.compare(try content(of: message).sentDate?.localDay ?? 0, test, day)
        case .address(let field, let needle):
            let content = try content(of: message)
            if needle.isEmpty { return content.hasField(field) }
            return content.addressSearchTexts(field).contains { Self.contains(UnicodeCaseMap.fold($0), needle) }
        case .header(let field, let needle):
            let content = try content(of: message)
            if needle.isEmpty { return content.hasField(field) }
            return content.decodedValues(field).contains { Self.contains(UnicodeCaseMap.fold($0), needle) }
        case .body(let needle):
            return Self.contains(try content(of: message).foldedBody, needle)
        case .text(let needle):
            let content = try content(of: message)
            return Self.contains(content.foldedHeaders, needle) || Self.contains(content.foldedBody, needle)
        case .not(let inner): return try !matches(inner, message, sequence: sequence)
        case .or(let a, let b):
            if try matches(a, message, sequence: sequence) { return true }
            return try matches(b, message, sequence: sequence)
        case .and(let keys):
            for inner in keys where try !matches(inner, message, sequence: sequence) { return false }
            return true
        }
    }

    /// The internal date's calendar day in the server's zone, as days since 1970-01-01.
    private func internalDay(_ message: IndexedMessage) -> Int64 {
        let offset = context.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: message.internalDate))
        return CivilDate.floorDiv(Int64(message.internalDate.rounded(.down)) + Int64(offset), 86_400)
    }

    private static func compare(_ value: Int64, _ test: CompiledSearchKey.DateTest, _ day: Int64) -> Bool {
        switch test {
        case .before: value < day
        case .on: value == day
        case .since: value >= day
        }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        needle.isEmpty || haystack.firstRange(of: needle) != nil
    }
}

/// A message a search matched, with its sequence number in the session.
public struct MatchedMessage: Hashable, Sendable {
    public var sequence: UInt32
    public var message: IndexedMessage
}
