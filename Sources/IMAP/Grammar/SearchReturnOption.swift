/// RFC 4731 / RFC 5182 `search-return-opt`. Others (RFC 9394 PARTIAL…) are syntax errors.
public enum SearchReturnOption: Hashable, Sendable {
    case min, max, all, count
    /// RFC 5182 SEARCHRES: keep the result for `$`.
    case save
}
