import PCRE

/// Perl `s///` over bytes with a PCRE2 regex (non-UTF mode, so `\w`, `\s`, `\d`, `\b`
/// are ASCII as in Perl on byte strings). Used by the Bayes tokenizer's pre-chew steps.
struct ByteRegex: @unchecked Sendable {
    let regex: PCRERegex

    init(_ pattern: String, _ options: PCREOptions = []) {
        do {
            regex = try PCRERegex(pattern, options: options)
        } catch {
            preconditionFailure("Bayes: built-in regex does not compile: \(error)")
        }
    }

    func matches(_ bytes: [UInt8]) -> Bool { regex.firstMatch(in: bytes) != nil }

    /// The capture groups of the first match (index 0 is the whole match).
    func captures(_ bytes: [UInt8], from start: Int = 0) -> [Range<Int>?]? {
        bytes.withUnsafeBufferPointer { (try? regex.captures(in: $0, from: start)) ?? nil }
    }

    /// `s/re/replacement/` (or `/g` when `global`); the closure gets the subject and the
    /// capture ranges and returns the replacement bytes.
    func substitute(_ bytes: [UInt8], global: Bool = true,
                    _ replacement: ([UInt8], [Range<Int>?]) -> [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var position = 0
        var copied = 0
        var changed = false
        while position <= bytes.count, let groups = captures(bytes, from: position), let whole = groups[0] {
            changed = true
            out.append(contentsOf: bytes[copied..<whole.lowerBound])
            out.append(contentsOf: replacement(bytes, groups))
            copied = whole.upperBound
            if !global { break }
            if whole.isEmpty {
                // Perl moves on one character after an empty match.
                if whole.upperBound < bytes.count { out.append(bytes[whole.upperBound]) }
                copied = whole.upperBound + 1
                position = whole.upperBound + 1
            } else {
                position = whole.upperBound
            }
        }
        if !changed { return bytes }
        if copied < bytes.count { out.append(contentsOf: bytes[copied...]) }
        return out
    }

    /// `s/re/fixed/g`.
    func replace(_ bytes: [UInt8], with fixed: String, global: Bool = true) -> [UInt8] {
        let r = Array(fixed.utf8)
        return substitute(bytes, global: global) { _, _ in r }
    }
}

extension Array where Element == UInt8 {
    /// The bytes of capture `index`, empty when it did not take part.
    func group(_ groups: [Range<Int>?], _ index: Int) -> ArraySlice<UInt8> {
        guard index < groups.count, let r = groups[index] else { return [] }
        return self[r]
    }
}
