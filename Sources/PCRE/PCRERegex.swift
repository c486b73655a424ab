import CPCRE2

/// A compiled PCRE2 (8-bit) regular expression with Perl semantics.
///
/// Compiled once, JIT-compiled when the platform supports it, and then immutable: PCRE2
/// documents a compiled pattern as safe to share between threads as long as each match
/// uses its own match data, which every call here allocates. Subjects are bytes, so mail
/// that is not valid UTF-8 is matched as-is (unless `.utf` is requested).
///
/// Match-time failures (PCRE2's default backtracking limits, JIT stack exhaustion that
/// persists on the interpreter) are reported by `match(in:from:)`; the convenience
/// methods treat them as "no match", which is what a filter rule wants.
public final class PCRERegex: @unchecked Sendable {
    // @unchecked: `code` is an immutable pcre2_code; PCRE2 allows concurrent matching on
    // one code object, and nothing mutates it after init.
    private let code: OpaquePointer
    private let captureCount: Int

    /// The pattern as given, for logs and errors.
    public let pattern: String
    public let options: PCREOptions
    /// Whether PCRE2's JIT accepted the pattern (else the interpreter runs it).
    public let isJITCompiled: Bool

    /// Compiles `pattern`; throws a compile `PCREError` with PCRE2's message and offset.
    public init(_ pattern: String, options: PCREOptions = []) throws(PCREError) {
        var errorCode: Int32 = 0
        var errorOffset = 0
        let compiled: OpaquePointer? = pattern.utf8.withContiguousStorageIfAvailable {
            moat_pcre2_compile($0.baseAddress, $0.count, options.rawValue, &errorCode, &errorOffset)
        } ?? Array(pattern.utf8).withUnsafeBufferPointer {
            moat_pcre2_compile($0.baseAddress, $0.count, options.rawValue, &errorCode, &errorOffset)
        }
        guard let compiled else {
            throw PCREError(
                kind: .compile, code: errorCode, message: PCREError.messageText(for: errorCode),
                offset: errorOffset, pattern: pattern)
        }
        self.code = compiled
        self.pattern = pattern
        self.options = options
        self.captureCount = Int(moat_pcre2_capture_count(compiled))
        // A JIT failure (unsupported platform, pattern too large) is not an error: the
        // interpreter gives identical results, only slower.
        self.isJITCompiled = moat_pcre2_jit_compile(compiled) == 0
    }

    deinit { moat_pcre2_code_free(code) }

    /// The byte range of the first match at or after `start`, or nil; errors count as no match.
    public func firstMatch(in bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> Range<Int>? {
        (try? match(in: bytes, from: start)) ?? nil
    }

    /// The byte range of the first match at or after `start`, or nil; errors count as no match.
    public func firstMatch(in bytes: [UInt8], from start: Int = 0) -> Range<Int>? {
        bytes.withUnsafeBufferPointer { firstMatch(in: $0, from: start) }
    }

    /// Whether the regex matches anywhere in the string's UTF-8 bytes.
    public func matches(_ string: String) -> Bool {
        var string = string
        return string.withUTF8 { firstMatch(in: $0) != nil }
    }

    /// Whether the regex matches anywhere in `bytes`.
    public func matches(_ bytes: [UInt8]) -> Bool {
        firstMatch(in: bytes) != nil
    }

    /// The first match at or after `start`, reporting match-time errors instead of hiding them.
    public func match(in bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0) throws(PCREError) -> Range<Int>? {
        try captures(in: bytes, from: start, pairs: 1)?.first ?? nil
    }

    /// The whole match followed by each capture group (nil where a group did not take part),
    /// or nil when there is no match.
    public func captures(in bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0) throws(PCREError) -> [Range<Int>?]? {
        try captures(in: bytes, from: start, pairs: captureCount + 1)
    }

    private func captures(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, pairs: Int) throws(PCREError) -> [Range<Int>?]? {
        precondition(start >= 0 && start <= bytes.count, "start offset \(start) outside subject of \(bytes.count) bytes")
        guard let data = moat_pcre2_match_data_create(UInt32(pairs)) else {
            throw matchError(PCRE2_ERROR_NOMEMORY)
        }
        defer { moat_pcre2_match_data_free(data) }

        var rc = run(bytes, start: start, options: 0, data: data)
        if rc == PCRE2_ERROR_JIT_STACKLIMIT {
            // The JIT's fixed stack is small; the interpreter uses the heap, so retry there.
            rc = run(bytes, start: start, options: PCRE2_NO_JIT, data: data)
        }
        if rc == PCRE2_ERROR_NOMATCH { return nil }
        if rc < 0 { throw matchError(rc) }

        // rc == 0 means the ovector was too small for every group; we sized it, but stay safe.
        let filled = rc == 0 ? pairs : min(Int(rc), pairs)
        let ovector = moat_pcre2_ovector(data)!
        var result = [Range<Int>?](repeating: nil, count: pairs)
        for index in 0..<filled {
            let lower = ovector[2 * index], upper = ovector[2 * index + 1]
            // size_t imports as Int, so PCRE2_UNSET (~0) reads as -1 here.
            if lower >= 0 && upper >= lower {
                result[index] = Int(lower)..<Int(upper)
            }
        }
        return result
    }

    func runMatch(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, options: UInt32, data: OpaquePointer) -> Int32 {
        run(bytes, start: start, options: options, data: data)
    }

    private func run(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, options: UInt32, data: OpaquePointer) -> Int32 {
        // PCRE2 rejects a NULL subject even when its length is zero.
        if let base = bytes.baseAddress {
            return moat_pcre2_match(code, base, bytes.count, start, options, data)
        }
        var empty: UInt8 = 0
        return moat_pcre2_match(code, &empty, 0, 0, options, data)
    }

    private func matchError(_ rc: Int32) -> PCREError {
        PCREError(kind: .match, code: rc, message: PCREError.messageText(for: rc), offset: nil, pattern: pattern)
    }
}
