import Foundation
import MIME
import MoatCore

/// The Bayes classifier as the rest of Moat uses it: tokenizer + token database +
/// SpamAssassin's scan, learning and expiry. Returns only a probability (and the
/// BAYES_xx rule names); what to do with it is the scorer's business.
public struct BayesFilter: Sendable {
    public let store: BayesStore
    public var tokenizer: BayesTokenizer
    public var classifier: BayesClassifier

    public init(store: BayesStore, tokenizer: BayesTokenizer = BayesTokenizer(),
                classifier: BayesClassifier = BayesClassifier()) {
        self.store = store
        self.tokenizer = tokenizer
        self.classifier = classifier
    }

    /// The filter `[bayes]` describes, its database opened (and created) at `settings.database`.
    public init(settings: BayesSettings) throws {
        var options = BayesTokenizer.Options()
        options.ignoredHeaders.formUnion(settings.ignoreHeaders)
        self.init(store: try BayesStore(path: settings.database),
                  tokenizer: BayesTokenizer(options: options),
                  classifier: BayesClassifier(minSpam: settings.minSpam, minHam: settings.minHam))
    }

    /// Learns a message (raw bytes, an mbox `From ` line is skipped) as spam or ham.
    @discardableResult
    public func learn(_ bytes: [UInt8], isSpam: Bool) throws -> BayesLearnOutcome {
        let message = MIMEMessage.parse(bytes)
        let tokens = tokenizer.tokenize(BayesMessageAdapter.input(from: message))
        return try store.learn(tokens.ids, msgid: BayesMessageAdapter.messageID(message),
                               aliases: BayesMessageAdapter.headerMessageID(message).map { [$0] } ?? [],
                               isSpam: isSpam, atime: BayesMessageAdapter.receiveTime(message))
    }

    /// Forgets a learned message; false when it had not been learned.
    @discardableResult
    public func forget(_ bytes: [UInt8]) throws -> Bool {
        let message = MIMEMessage.parse(bytes)
        let tokens = tokenizer.tokenize(BayesMessageAdapter.input(from: message))
        return try store.forget(tokens.ids, msgid: BayesMessageAdapter.messageID(message),
                                aliases: BayesMessageAdapter.headerMessageID(message).map { [$0] } ?? [])
    }

    /// The spam probability of a message, or nil when Bayes has no opinion (database too
    /// small, no known or significant tokens). Touches the significant tokens' atime
    /// when `touch` (as SpamAssassin's scan does).
    public func classify(_ bytes: [UInt8], touch: Bool = true) throws -> BayesResult? {
        let message = MIMEMessage.parse(bytes)
        return try classify(BayesMessageAdapter.input(from: message), touch: touch,
                            atime: BayesMessageAdapter.receiveTime(message))
    }

    /// The same over already-rendered input.
    public func classify(_ input: BayesInput, touch: Bool = true,
                         atime: Int64 = Int64(Date().timeIntervalSince1970)) throws -> BayesResult? {
        let (nspam, nham) = try store.messageCounts()
        guard nspam >= classifier.minSpam, nham >= classifier.minHam else { return nil }
        let ids = tokenizer.tokenize(input).ids
        let counts = try store.counts(for: ids)
        guard let result = classifier.classify(tokens: ids, counts: counts, nspam: nspam, nham: nham) else { return nil }
        if touch { try store.touch(result.significant.map(\.id), atime: atime) }
        return result
    }
}
