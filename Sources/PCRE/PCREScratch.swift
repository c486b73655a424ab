import CPCRE2

/// Match data reused across many matches on one thread. A scan runs thousands of rules
/// over every text of a message; allocating PCRE2 match data per call would dominate.
/// Not Sendable: each scanning task keeps its own.
public final class PCREScratch {
    fileprivate let data: OpaquePointer

    public init() {
        guard let data = moat_pcre2_match_data_create(1) else {
            fatalError("PCRE2 could not allocate match data (out of memory)")
        }
        self.data = data
    }

    deinit { moat_pcre2_match_data_free(data) }
}

extension PCRERegex {
    /// The first match at or after `start` (whole match only), using `scratch`; match-time
    /// errors (match limit, invalid UTF) count as no match, as in Perl a failed match.
    public func firstMatch(in bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0,
                           scratch: PCREScratch) -> Range<Int>? {
        var rc = runMatch(bytes, start: start, options: 0, data: scratch.data)
        if rc == PCRE2_ERROR_JIT_STACKLIMIT {
            rc = runMatch(bytes, start: start, options: PCRE2_NO_JIT, data: scratch.data)
        }
        guard rc >= 0 else { return nil }
        let ovector = moat_pcre2_ovector(scratch.data)!
        let lower = ovector[0], upper = ovector[1]
        return lower >= 0 && upper >= lower ? Int(lower)..<Int(upper) : nil
    }
}
