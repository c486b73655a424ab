import IMAP

/// The `; name=value` parameters of a Content-Type or Content-Disposition value, in
/// message order, the way Dovecot lists them in BODYSTRUCTURE: values unquoted but not
/// decoded; RFC 2231 continuations (`name*0`, `name*1*`…) joined into one `name` or
/// `name*` parameter after the plain ones; a set with a missing index left as it was.
enum ContentParameters {
    /// Reads parameters from the scanner's position to the end; broken ones are skipped.
    static func parse(_ scanner: inout HeaderValueScanner) -> [BodyParameter] {
        var plain: [BodyParameter] = []
        var sections: [Section] = []
        // Dovecot reuses the index of the previous section for a bare `name*`, so
        // `a*0=x; b*=y` reads b as section 0 and `a*1=x; b*=y` as section 1 (then
        // "missing" section 0): clients already show such names, so this does the same.
        var lastIndex = 0
        while let (outcome, name, value) = scanner.parseParameter() {
            if outcome == .broken {
                // Resynchronise one byte further, as Dovecot does.
                if scanner.atEnd { break }
                scanner.position += 1
                continue
            }
            if let section = Section(name: name, value: value, previousIndex: lastIndex) {
                sections.append(section)
                lastIndex = section.index
            } else {
                plain.append(BodyParameter(name: name, value: value))
            }
        }
        return plain + merge(sections)
    }

    /// One piece of an RFC 2231 parameter: `name*index[*]` or `name*`.
    private struct Section {
        var name: [UInt8]
        var index: Int
        var extended: Bool
        var value: [UInt8]

        init?(name raw: [UInt8], value: [UInt8], previousIndex: Int) {
            guard let star = raw.firstIndex(of: UInt8(ascii: "*")) else { return nil }
            var cursor = star
            var index = previousIndex
            if star + 1 < raw.count {
                cursor = star + 1
                index = 0
                while cursor < raw.count, let digit = raw[cursor].asciiDigit {
                    index = min(index &* 10 &+ digit, 1 << 20)
                    cursor += 1
                }
            }
            let extended = cursor < raw.count && raw[cursor] == UInt8(ascii: "*")
            if extended { cursor += 1 }
            guard cursor == raw.count else { return nil }
            self.name = Array(raw[..<star])
            self.index = index
            self.extended = extended
            self.value = value
        }
    }

    /// Groups sections by name (sorted as Dovecot sorts them) and joins complete ones.
    private static func merge(_ sections: [Section]) -> [BodyParameter] {
        let sorted = sections.enumerated().sorted { left, right in
            if left.element.name != right.element.name { return left.element.name.lexicographicallyPrecedes(right.element.name) }
            if left.element.index != right.element.index { return left.element.index < right.element.index }
            return left.offset < right.offset
        }.map(\.element)
        var result: [BodyParameter] = []
        var groupStart = 0
        while groupStart < sorted.count {
            let key = sorted[groupStart].name.asciiLowercased
            var groupEnd = groupStart
            while groupEnd < sorted.count && sorted[groupEnd].name.asciiLowercased == key { groupEnd += 1 }
            let group = sorted[groupStart..<groupEnd]
            let complete = group.enumerated().allSatisfy { $0.offset == $0.element.index }
            let hasExtended = group.contains { $0.extended }
            if !complete {
                for section in group {
                    let suffix = "*\(section.index)" + (section.extended ? "*" : "")
                    result.append(BodyParameter(name: section.name + Array(suffix.utf8), value: section.value))
                }
            } else {
                var value: [UInt8] = []
                // A charset'language' prefix is expected once any section is extended.
                if hasExtended && !group.first!.extended { value.append(contentsOf: Array("''".utf8)) }
                for section in group {
                    if hasExtended && !section.extended {
                        for byte in section.value {
                            if byte == UInt8(ascii: "%") { value.append(contentsOf: Array("%25".utf8)) } else { value.append(byte) }
                        }
                    } else {
                        value.append(contentsOf: section.value)
                    }
                }
                let name = group.first!.name + (hasExtended ? [UInt8(ascii: "*")] : [])
                result.append(BodyParameter(name: name, value: value))
            }
            groupStart = groupEnd
        }
        return result
    }
}

extension UInt8 {
    var asciiDigit: Int? {
        self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") ? Int(self - UInt8(ascii: "0")) : nil
    }

    var asciiLowercased: UInt8 {
        self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z") ? self + 32 : self
    }
}

extension Array where Element == UInt8 {
    var asciiLowercased: [UInt8] { map(\.asciiLowercased) }

    func equalsIgnoringASCIICase(_ other: [UInt8]) -> Bool {
        count == other.count && zip(self, other).allSatisfy { $0.asciiLowercased == $1.asciiLowercased }
    }
}
