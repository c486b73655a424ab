import PCRE

/// What the Bayes tokenizer reads from one message, already rendered — the same inputs
/// SpamAssassin's `Plugin::Bayes::tokenize` gets from `_get_msgdata_from_permsgstatus`:
/// the decoded header fields in message order, metadata pseudo-headers (`X-Spam-Relays-*`),
/// visible and invisible rendered body lines (visible starts with the Subject), and the
/// message's URIs. Everything is bytes, as SpamAssassin's tokenizer is.
public struct BayesInput: Sendable {
    public var headers: [(name: String, value: [UInt8])]
    public var metadata: [(name: String, value: [UInt8])]
    public var body: [[UInt8]]
    public var invisible: [[UInt8]]
    public var uris: [[UInt8]]

    public init(headers: [(name: String, value: [UInt8])], metadata: [(name: String, value: [UInt8])] = [],
                body: [[UInt8]], invisible: [[UInt8]] = [], uris: [[UInt8]] = []) {
        self.headers = headers
        self.metadata = metadata
        self.body = body
        self.invisible = invisible
        self.uris = uris
    }

    /// Convenience over Strings (UTF-8 bytes).
    public init(headers: [(name: String, value: String)], metadata: [(name: String, value: String)] = [],
                bodyText: [String], invisibleText: [String] = [], uris: [String] = []) {
        self.init(headers: headers.map { ($0.name, Array($0.value.utf8)) },
                  metadata: metadata.map { ($0.name, Array($0.value.utf8)) },
                  body: bodyText.map { Array($0.utf8) }, invisible: invisibleText.map { Array($0.utf8) },
                  uris: uris.map { Array($0.utf8) })
    }
}

/// A token id: the low 40 bits of SHA-1 of the token text, as SpamAssassin stores them
/// (`substr(sha1($token), -5)`), read as a big-endian integer.
public typealias BayesTokenID = Int64

/// The unique tokens of one message: id → the token text (for explanations and tests).
public struct BayesTokens: Sendable {
    public var tokens: [BayesTokenID: [UInt8]] = [:]
    public var ids: [BayesTokenID] { Array(tokens.keys) }
    public var count: Int { tokens.count }
    /// The token texts, as Strings (bytes that are not UTF-8 are repaired), sorted.
    public var texts: [String] { tokens.values.map { String(decoding: $0, as: UTF8.self) }.sorted() }

    public static func id<C: Collection>(of token: C) -> BayesTokenID where C.Element == UInt8 {
        let d = SHA1.hash(token)
        var v: Int64 = 0
        for b in d[15..<20] { v = v << 8 | Int64(b) }
        return v
    }
}

/// SpamAssassin 4.0.1's Bayes tokenizer (`Plugin/Bayes.pm`: `tokenize`, `_tokenize_line`,
/// `_tokenize_headers` and the `_pre_chew_*` helpers) with its default constants:
/// IGNORE_TITLE_CASE, TOKENIZE_LONG_8BIT_SEQS_AS_UTF8_CHARS, long tokens as `sk:` skips in
/// headers and body (not URIs), body address/URI chewing, DECOMPOSE_BODY_TOKENS, the
/// `*MI`/`*Ad`/`*UA` header maps, header-name compression, invisible text as `I*:`, the
/// English stop-word list, no magic tokens (as SpamAssassin's SQL store).
public struct BayesTokenizer: Sendable {
    public struct Options: Sendable {
        /// `bayes_max_token_length` (default 15).
        public var maxTokenLength = 15
        /// `bayes_ignore_header`: header names (any case) left out of header tokens; by default
        /// the stock rules' list.
        public var ignoredHeaders: Set<String> = Options.stockIgnoredHeaders
        /// `bayes_stopword_languages en` (the default); false = `disable`.
        public var englishStopwords = true
        public init() {}
    }

    public let options: Options
    let ignoredHeaders: Set<String>

    public init(options: Options = Options()) {
        self.options = options
        self.ignoredHeaders = Set(options.ignoredHeaders.map { $0.lowercased() })
    }

    enum Region { case header, body, uri }

    /// Tokens of one message, unique, keyed by their 40-bit id.
    public func tokenize(_ input: BayesInput) -> BayesTokens {
        var raw: [[UInt8]] = []
        raw.reserveCapacity(1024)
        var stopCache: [[UInt8]: Bool] = [:]
        var count = 0
        for line in input.body {
            tokenizeLine(line, prefix: [], region: .body, into: &raw, stopCache: &stopCache)
            if raw.count - count >= 50000 { break }
        }
        count = raw.count
        for uri in input.uris {
            tokenizeLine(uri, prefix: [], region: .uri, into: &raw, stopCache: &stopCache)
            if raw.count - count >= 10000 { break }
        }
        count = raw.count
        let inviz = Array("I*:".utf8)
        for line in input.invisible {
            tokenizeLine(line, prefix: inviz, region: .body, into: &raw, stopCache: &stopCache)
            if raw.count - count >= 50000 { break }
        }
        count = raw.count
        for (prefix, values) in headerValues(input) {
            let p = Array("H\(prefix):".utf8)
            for value in values {
                tokenizeLine(value, prefix: p, region: .header, into: &raw, stopCache: &stopCache)
            }
            if raw.count - count >= 10000 { break }
        }
        var result = BayesTokens()
        result.tokens.reserveCapacity(raw.count)
        for t in raw where !t.isEmpty { result.tokens[BayesTokens.id(of: t)] = t }
        return result
    }

    // MARK: - _tokenize_line

    func tokenizeLine(_ line: [UInt8], prefix: [UInt8], region: Region,
                      into out: inout [[UInt8]], stopCache: inout [[UInt8]: Bool]) {
        var s = Self.keepTokenCharacters(line)
        s = Self.splitRuns(s, of: UInt8(ascii: "."))
        s = Self.splitRuns(s, of: UInt8(ascii: "-"))
        if region != .header { s = Self.lowercaseTitleCase(s) }
        let isBodyLike = region != .header
        var start = 0
        let n = s.count
        while start < n {
            while start < n && s[start] == 0x20 { start += 1 }
            if start >= n { break }
            var end = start
            while end < n && s[end] != 0x20 { end += 1 }
            var lo = start, hi = end
            start = end
            while lo < hi && Self.isTrimmed(s[lo]) { lo += 1 }
            while hi > lo && Self.isTrimmed(s[hi - 1]) { hi -= 1 }
            let length = hi - lo
            if length < 3 { continue }
            var token = Array(s[lo..<hi])
            if options.englishStopwords {
                if let hit = stopCache[token] {
                    if hit { continue }
                } else {
                    let hit = Self.stopwordsEN.matches(token)
                    stopCache[token] = hit
                    if hit { continue }
                }
            }
            if isBodyLike {
                if let at = Self.mailAddressAt(token) {
                    Self.mailAddressTokens(token, at: at, into: &out)
                } else if Self.looksLikeDomain(token) {
                    out.append(Array("UD:".utf8) + token)
                    var bit = token[...]
                    while let dot = bit.firstIndex(of: UInt8(ascii: ".")), dot > bit.startIndex, dot + 1 < bit.endIndex {
                        bit = bit[(dot + 1)...]
                        out.append(Array("UD:".utf8) + bit)
                    }
                }
            }
            if length > options.maxTokenLength && !token.contains(UInt8(ascii: "*")) {
                if Self.hasTwoContinuationBytes(token) {
                    let seqs = Self.utf8Sequences(token)
                    if !seqs.isEmpty {
                        for seq in seqs { out.append(prefix + Array("u8:".utf8) + seq) }
                        continue
                    }
                }
                if region != .uri, let cut = Self.skipPrefixLength(token) {
                    token = Array("sk:".utf8) + token[0..<cut]
                }
            }
            if isBodyLike {
                let hasNonWord = token.contains { !Self.isWordOrColonStar($0) }
                if hasNonWord { out.append(prefix + token.filter(Self.isWordOrColonStar)) }
                if token.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) {
                    let lower = token.map(Self.lower)
                    out.append(prefix + lower)
                    if hasNonWord { out.append(prefix + lower.filter(Self.isWordOrColonStar)) }
                }
            }
            out.append(prefix + token)
        }
    }

    /// `s{([A-Za-z0-9,@*!_'"$. -]+|UTF-8 2/3/4-byte sequence|[\xA1-\xFF])|.}{$1 // ' '}xsge`
    static func keepTokenCharacters(_ line: [UInt8]) -> [UInt8] {
        var s: [UInt8] = []
        s.reserveCapacity(line.count)
        let n = line.count
        var i = 0
        @inline(__always) func cont(_ k: Int) -> Bool { k < n && line[k] >= 0x80 && line[k] <= 0xBF }
        while i < n {
            let b = line[i]
            if isTokenCharacter(b) { s.append(b); i += 1; continue }
            if b >= 0xC0 && b <= 0xDF && cont(i + 1) {
                s.append(contentsOf: line[i..<i + 2]); i += 2
            } else if b >= 0xE0 && b <= 0xEF && cont(i + 1) && cont(i + 2) {
                s.append(contentsOf: line[i..<i + 3]); i += 3
            } else if b >= 0xF0 && b <= 0xF4 && cont(i + 1) && cont(i + 2) && cont(i + 3) {
                s.append(contentsOf: line[i..<i + 4]); i += 4
            } else {
                s.append(b >= 0xA1 ? b : 0x20); i += 1
            }
        }
        return s
    }

    static func isTokenCharacter(_ b: UInt8) -> Bool {
        switch b {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39: return true
        case UInt8(ascii: ","), UInt8(ascii: "@"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "_"),
             UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "$"), UInt8(ascii: "."), UInt8(ascii: " "),
             UInt8(ascii: "-"):
            return true
        default: return false
        }
    }

    @inline(__always) static func isWord(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    @inline(__always) static func isWordOrColonStar(_ b: UInt8) -> Bool {
        isWord(b) || b == UInt8(ascii: ":") || b == UInt8(ascii: "*")
    }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b + 32 : b }

    @inline(__always) static func isTrimmed(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "-") || b == UInt8(ascii: "'") || b == UInt8(ascii: "\"")
            || b == UInt8(ascii: ".") || b == UInt8(ascii: ",")
    }

    /// `s/(\w)(\.{3,6})(\w)/$1 $2 $3/gs` (and the same for `-{2,6}`).
    static func splitRuns(_ s: [UInt8], of mark: UInt8) -> [UInt8] {
        let minimum = mark == UInt8(ascii: ".") ? 3 : 2
        guard s.contains(mark) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.count + 8)
        let n = s.count
        var i = 0
        while i < n {
            if isWord(s[i]) && i + 1 < n && s[i + 1] == mark {
                var j = i + 1
                while j < n && s[j] == mark { j += 1 }
                let run = j - i - 1
                if run >= minimum && run <= 6 && j < n && isWord(s[j]) {
                    out.append(s[i]); out.append(0x20)
                    out.append(contentsOf: s[(i + 1)..<j])
                    out.append(0x20); out.append(s[j])
                    i = j + 1
                    continue
                }
            }
            out.append(s[i]); i += 1
        }
        return out
    }

    /// `s/(?:^|\.\s+)([A-Z])([^A-Z]+)(?:\s|$)/ ' '. (lc $1) . $2 . ' ' /ge` on a line in
    /// which step 1 left spaces as the only whitespace.
    static func lowercaseTitleCase(_ s: [UInt8]) -> [UInt8] {
        let n = s.count
        @inline(__always) func upper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
        @inline(__always) func space(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        var out: [UInt8] = []
        var copied = 0
        var p = 0
        while p < n {
            var q = -1
            var matched = false
            for attempt in 0..<2 {
                if attempt == 0 && p != 0 { continue }
                if attempt == 1 {
                    guard s[p] == UInt8(ascii: "."), p + 1 < n, space(s[p + 1]) else { continue }
                    var k = p + 1
                    while k < n && space(s[k]) { k += 1 }
                    q = k
                } else {
                    q = p
                }
                guard q < n, upper(s[q]) else { continue }
                var r = q + 1
                while r < n && !upper(s[r]) { r += 1 }
                guard r >= q + 2 else { continue }
                // [^A-Z]+ backtracks from r to the last position followed by \s or $.
                var e = -1, consumed = 0
                if r == n { e = n; consumed = 0 } else {
                    var k = r - 1
                    while k >= q + 2 { if space(s[k]) { e = k; consumed = 1; break }; k -= 1 }
                }
                guard e >= 0 else { continue }
                out.append(contentsOf: s[copied..<p])
                out.append(0x20); out.append(s[q] + 32)
                out.append(contentsOf: s[(q + 1)..<e]); out.append(0x20)
                copied = e + consumed
                p = copied
                matched = true
                break
            }
            if !matched { p += 1 }
        }
        if copied == 0 && out.isEmpty { return s }
        out.append(contentsOf: s[copied..<n])
        return out
    }

    /// `/\S\@\S/`: an `@` with something on both sides (tokens hold no spaces).
    static func mailAddressAt(_ t: [UInt8]) -> Int? {
        guard t.count >= 3 else { return nil }
        for i in 1..<(t.count - 1) where t[i] == UInt8(ascii: "@") { return i }
        return nil
    }

    /// `/\S\.[a-z]/i`
    static func looksLikeDomain(_ t: [UInt8]) -> Bool {
        guard t.count >= 3 else { return false }
        for i in 1..<(t.count - 1) where t[i] == UInt8(ascii: ".") {
            let c = t[i + 1] | 0x20
            if c >= 0x61 && c <= 0x7A { return true }
        }
        return false
    }

    /// `_tokenize_mail_addrs`: `U*user`, `D*domain` and each parent domain.
    static func mailAddressTokens(_ t: [UInt8], at _: Int, into out: inout [[UInt8]]) {
        // /(.+)\@(.+)$/: the last @ with at least one byte on each side.
        var at = -1
        var i = t.count - 2
        while i >= 1 { if t[i] == UInt8(ascii: "@") { at = i; break }; i -= 1 }
        guard at > 0 else { return }
        out.append(Array("U*".utf8) + t[0..<at])
        var domain = t[(at + 1)...]
        out.append(Array("D*".utf8) + domain)
        while let dot = domain.firstIndex(of: UInt8(ascii: ".")), dot > domain.startIndex, dot + 1 < domain.endIndex {
            domain = domain[(dot + 1)...]
            out.append(Array("D*".utf8) + domain)
        }
    }

    static func hasTwoContinuationBytes(_ t: [UInt8]) -> Bool {
        var previous = false
        for b in t {
            let c = b >= 0x80 && b <= 0xBF
            if c && previous { return true }
            previous = c
        }
        return false
    }

    /// `/((?:[\xE0-\xEF]|[\xF0-\xF4][\x80-\xBF])[\x80-\xBF]{2})/g`: 3- and 4-byte UTF-8 sequences.
    static func utf8Sequences(_ t: [UInt8]) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        let n = t.count
        @inline(__always) func cont(_ k: Int) -> Bool { k < n && t[k] >= 0x80 && t[k] <= 0xBF }
        var i = 0
        while i < n {
            let b = t[i]
            if b >= 0xE0 && b <= 0xEF && cont(i + 1) && cont(i + 2) {
                out.append(t[i..<i + 3]); i += 3
            } else if b >= 0xF0 && b <= 0xF4 && cont(i + 1) && cont(i + 2) && cont(i + 3) {
                out.append(t[i..<i + 4]); i += 4
            } else {
                i += 1
            }
        }
        return out
    }

    /// The byte length of the first seven characters (Bug 7141) when at least two more
    /// bytes follow them, else nil (the token is kept whole).
    static func skipPrefixLength(_ t: [UInt8]) -> Int? {
        let n = t.count
        @inline(__always) func cont(_ k: Int) -> Bool { k < n && t[k] >= 0x80 && t[k] <= 0xBF }
        var i = 0
        for _ in 0..<7 {
            guard i < n else { return nil }
            let b = t[i]
            if b <= 0x7F || b >= 0xF5 { i += 1 }
            else if b >= 0xC0 && b <= 0xDF && cont(i + 1) { i += 2 }
            else if b >= 0xE0 && b <= 0xEF && cont(i + 1) && cont(i + 2) { i += 3 }
            else if b >= 0xF0 && b <= 0xF4 && cont(i + 1) && cont(i + 2) && cont(i + 3) { i += 4 }
            else { i += 1 }
        }
        return n - i >= 2 ? i : nil
    }

    static let stopwordsEN = ByteRegex(
        #"^(?i)(?:a(?:ble|l(?:ready|l)|n[dy]|re)|b(?:ecause|oth)|c(?:an|ome)|e(?:ach|mail|ven)|f(?:ew|irst|or|rom)|give|h(?:a(?:ve|s)|ttp)|i(?:n(?:formation|to)|t\'s)|just|know|l(?:ike|o(?:ng|ok))|m(?:a(?:de|il(?:(?:ing|to))?|ke|ny)|o(?:re|st)|uch)|n(?:eed|o[tw]|umber)|o(?:ff|n(?:ly|e)|ut|wn)|p(?:eople|lace)|right|s(?:ame|ee|uch)|t(?:h(?:at|is|rough|e)|ime)|using|w(?:eb|h(?:ere|y)|ith(?:out)?|or(?:ld|k))|y(?:ears?|ou(?:(?:\'re|r))?))$$"#)
}
