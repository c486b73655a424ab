import IMAP

extension SearchEvaluator {
    /// THREAD (RFC 5256): the messages matching `key` as threads, named by sequence number
    /// or, for UID THREAD, by UID. Each message file is read once.
    public func thread(_ algorithm: ThreadAlgorithm, key: SearchKey, charset: String?, byUID: Bool) throws(SearchError) -> [ThreadNode] {
        var messages: [ThreadMessage] = []
        _ = try forEachMatch(key, charset: charset) { match throws(SearchError) in
            messages.append(ThreadMessage(match, byUID: byUID, content: try content(of: match.message)))
        }
        switch algorithm {
        case .orderedSubject: return ThreadOrderedSubject.threads(messages)
        case .references: return ThreadReferences.threads(messages)
        }
    }
}
