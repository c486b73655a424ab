/// SpamAssassin's ReplaceTags plugin (Plugin/ReplaceTags.pm, `finish_parsing_end`): in the
/// patterns of rules named by `replace_rules`, each `<TAG>` becomes its `replace_tag`
/// expression, with `<pre P>`, `<post P>`, `<inter I>` markers adding `replace_pre` /
/// `replace_post` text around every tag and `replace_inter` between adjacent tags.
/// Replacement repeats (at most six passes) while a replacement itself contains tags.
struct ReplaceTags {
    var start: [UInt8]
    var end: [UInt8]
    var tags: [String: String]
    var pre: [String: String]
    var inter: [String: String]
    var post: [String: String]

    init(_ state: RuleParserState) {
        start = Array(state.replaceStart.utf8)
        end = Array(state.replaceEnd.utf8)
        tags = state.replaceTags
        pre = state.replacePre
        inter = state.replaceInter
        post = state.replacePost
    }

    /// The expanded pattern. SpamAssassin 4 expands the stringified compiled regex, which
    /// always starts with `(?aa)` (and the rule's `(?flags)`): a tag at the very start has
    /// no empty field before it, so it gets no `inter` text there.
    func expand(_ pattern: String) -> String {
        var re = Array(pattern.utf8)
        var passes = 0
        var again: Bool
        repeat {
            again = false
            let preName = removeMarker("pre ", from: &re)
            let postName = removeMarker("post ", from: &re)
            let interName = removeMarker("inter ", from: &re)

            var fields = Self.splitTags(re, keepLeadingEmpty: false)
            if let name = preName, let text = pre[name], Self.perlTrue(text) {
                for i in fields.indices { prefixFirstTag(&fields[i], with: Array(text.utf8)) }
            }
            if let name = postName, let text = post[name], Self.perlTrue(text) {
                for i in fields.indices { suffixTags(&fields[i], with: Array(text.utf8)) }
            }
            if let name = interName, let text = inter[name], Self.perlTrue(text) {
                for i in fields.indices where fields[i].isEmpty { fields[i] = Array(text.utf8) }
            }
            for i in fields.indices {
                guard let tag = firstTag(in: fields[i]) else { continue }
                let tagName = String(decoding: fields[i][tag.name], as: UTF8.self)
                guard Self.perlTrue(tagName), let replacement = tags[tagName], Self.perlTrue(replacement) else { continue }
                fields[i] = Self.replaceAll(fields[i], start + Array(tagName.utf8) + end, with: Array(replacement.utf8))
                if !again && Self.containsTagLike(Array(replacement.utf8)) { again = true }
            }
            re = fields.flatMap { $0 }
            passes += 1
        } while again && passes <= 5
        return String(decoding: re, as: UTF8.self)
    }

    /// `s/${start}KIND (.+?)${end}//`: removes the first marker and returns its name.
    private func removeMarker(_ kind: String, from re: inout [UInt8]) -> String? {
        let opening = start + Array(kind.utf8)
        var from = 0
        while let at = Self.find(opening, in: re, from: from) {
            let nameStart = at + opening.count
            // `.+?` then end: at least one byte (no newline), shortest.
            if nameStart < re.count, let close = Self.find(end, in: re, from: nameStart + 1) {
                let name = String(decoding: re[nameStart..<close], as: UTF8.self)
                re.removeSubrange(at..<(close + end.count))
                return name
            }
            from = at + 1
        }
        return nil
    }

    /// Perl `split(/(<[^<>]+>)/, $re)`: text and tag fields alternating; trailing empty
    /// fields dropped, a leading empty field kept.
    static func splitTags(_ re: [UInt8], keepLeadingEmpty: Bool) -> [[UInt8]] {
        var fields: [[UInt8]] = []
        var text: [UInt8] = []
        var i = 0
        while i < re.count {
            if re[i] == UInt8(ascii: "<") {
                var j = i + 1
                while j < re.count, re[j] != UInt8(ascii: "<"), re[j] != UInt8(ascii: ">") { j += 1 }
                if j < re.count, re[j] == UInt8(ascii: ">"), j > i + 1 {
                    fields.append(text)
                    fields.append(Array(re[i...j]))
                    text = []
                    i = j + 1
                    continue
                }
            }
            text.append(re[i])
            i += 1
        }
        fields.append(text)
        while let last = fields.last, last.isEmpty { fields.removeLast() }
        // In SpamAssassin the pattern string starts with `(?aa)`: that field is never
        // empty, so `inter` must not fill it; dropping the empty field has the same effect.
        if !keepLeadingEmpty, fields.first?.isEmpty == true { fields.removeFirst() }
        return fields
    }

    /// `s{($start.+?$end)}{$pre$1}`: the first tag-like span in the field gets `text` before it.
    private func prefixFirstTag(_ field: inout [UInt8], with text: [UInt8]) {
        guard let tag = firstTag(in: field) else { return }
        field.insert(contentsOf: text, at: tag.whole.lowerBound)
    }

    /// `s{($start.+?$end)}{$1$post}g`
    private func suffixTags(_ field: inout [UInt8], with text: [UInt8]) {
        var from = 0
        var out: [UInt8] = []
        while let tag = firstTag(in: field, from: from) {
            out += field[from..<tag.whole.upperBound]
            out += text
            from = tag.whole.upperBound
        }
        out += field[from...]
        field = out
    }

    /// `m|$start(.+?)$end|`: the whole span and the name inside.
    private func firstTag(in field: [UInt8], from: Int = 0) -> (whole: Range<Int>, name: Range<Int>)? {
        var search = from
        while let at = Self.find(start, in: field, from: search) {
            let nameStart = at + start.count
            if nameStart < field.count, let close = Self.find(end, in: field, from: nameStart + 1),
               !field[nameStart..<close].contains(UInt8(ascii: "\n")) {
                return (at..<(close + end.count), nameStart..<close)
            }
            search = at + 1
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        var i = from
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == needle[0] {
                var k = 1
                while k < needle.count && haystack[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    private static func replaceAll(_ field: [UInt8], _ target: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var from = 0
        while let at = find(target, in: field, from: from) {
            out += field[from..<at]
            out += replacement
            from = at + target.count
        }
        out += field[from...]
        return out
    }

    /// `/<[^>]+>/`
    private static func containsTagLike(_ bytes: [UInt8]) -> Bool {
        guard let open = bytes.firstIndex(of: UInt8(ascii: "<")) else { return false }
        var i = open
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "<"), i + 1 < bytes.count, bytes[i + 1] != UInt8(ascii: ">"),
               bytes[(i + 1)...].contains(UInt8(ascii: ">")) {
                return true
            }
            i += 1
        }
        return false
    }

    /// Perl truth of a string: not empty and not "0".
    static func perlTrue(_ s: String) -> Bool { !s.isEmpty && s != "0" }
}
