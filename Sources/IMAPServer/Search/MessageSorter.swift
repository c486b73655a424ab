import IMAP
import Mailstore

extension SearchEvaluator {
    /// SORT (RFC 5256, RFC 5957 DISPLAYFROM/DISPLAYTO): the messages matching `key` ordered
    /// by `criteria`; ties after every criterion go by sequence number, never reversed.
    /// Each message file is read at most once, and not at all for ARRIVAL/SIZE with an
    /// index-only key.
    public func sort(_ criteria: [SortCriterion], key: SearchKey, charset: String?) throws(SearchError) -> SearchMatches {
        var rows: [(match: MatchedMessage, values: [SortValue])] = []
        let usesModSeq = try forEachMatch(key, charset: charset) { match throws(SearchError) in
            var values: [SortValue] = []
            values.reserveCapacity(criteria.count)
            for criterion in criteria {
                values.append(try SortValue.of(criterion.key, match.message) { () throws(SearchError) in try content(of: match.message) })
            }
            rows.append((match, values))
        }
        rows.sort { a, b in
            for (index, criterion) in criteria.enumerated() where a.values[index] != b.values[index] {
                return criterion.reverse ? b.values[index] < a.values[index] : a.values[index] < b.values[index]
            }
            return a.match.sequence < b.match.sequence
        }
        return SearchMatches(messages: rows.map(\.match), usesModSeq: usesModSeq)
    }
}
