/// SpamAssassin's internal address-list parser (`Util::_parse_header_addresses`, 4.0.1),
/// as the Bayes tokenizer uses it for From/To/Cc/Reply-To/… values: phrase and address
/// per entry. Email::Address::XS, which SpamAssassin consults only for odd lists, is not
/// reproduced.
enum HeaderAddressParser {
    struct Entry: Equatable {
        var phrase: [UInt8]?
        var address: [UInt8]?
    }

    static let quoted = #"" (?:|(?:[^"\\]++|\\.)*+) ""#
    static let mailre = #"(?: "# + quoted + #" | [^\@\s\<\>\(\)\[\]\,\:\;]+ ) \@ (?: [^\"\s\<\>\(\)\[\]\,\:\;]+ | \[ [\d:.]+ \] )"#
    static let entryRE = ByteRegex(
        #"^ \s* (?: (?: ( (?: "# + quoted + #" | [^",;<]++ )+ ) \s* )? < \s* ( [^>\@]* \S+ | \s* ) \s* > "#
            + #"(?: \s* < \s* (?: (?: "# + quoted + #" )? \S+ | \s* ) \s* > )* "#
            + #"| (?: ( "# + mailre + #" ) | ( (?: "# + quoted + #" | [^",;<]++ )+ ) ) ) "#
            + #"(?: \s* \( ( (?:|(?:[^()\\]++|\\.)*+) ) \) )? \s* (?: [,;] | \z )"#,
        [.caseless, .extended, .dotAll])
    static let fullMailRE = ByteRegex("^" + mailre + "$", [.caseless, .extended])
    static let commentRE = ByteRegex(#"\((?:|(?:[^()\\]++|\\.)*+)\)"#, [.dotAll])
    static let phrasePartRE = ByteRegex(#"(?:"(|(?:[^"\\]++|\\.)*+)"|([^"]++))"#, [.caseless, .dotAll])
    static let groupRE = ByteRegex(#"^[^"()<>]+:\s*"#)
    static let enclosedRE = ByteRegex("<(" + mailre + ")>", [.caseless, .extended, .dotAll])
    static let unescapeRE = ByteRegex(#"\\(?!\\)"#)
    static let doubleBackslashRE = ByteRegex(#"\\\\"#)

    static func parse(_ value: [UInt8]) -> [Entry] {
        var s = value
        while let last = s.last, isSpace(last) { s.removeLast() }
        s = doubleBackslashRE.replace(s, with: "")
        // "Group: a, b;" → "a, b;" (the lazy capture in SpamAssassin's regex is always empty).
        s = groupRE.replace(s, with: "", global: false)
        guard s.contains(where: { !isSpace($0) }) else { return [] }
        var results: [Entry] = []
        while !s.isEmpty, let g = entryRE.captures(s), let whole = g[0] {
            var phrase: [UInt8]? = g[1].map { Array(s[$0]) } ?? g[4].map { Array(s[$0]) }
            var address: [UInt8]? = g[2].map { Array(s[$0]) } ?? g[3].map { Array(s[$0]) }
            let comment: [UInt8]? = g[5].map { Array(s[$0]) }
            if g[2] != nil, var a = address {
                a = commentRE.replace(a, with: "")
                address = fullMailRE.matches(a) ? a : nil
            }
            if !isValid(address) { address = nil }
            if let p = phrase {
                var rebuilt: [UInt8]? = nil
                var position = 0
                while position < p.count, let m = phrasePartRE.captures(p, from: position), let w = m[0], !w.isEmpty {
                    if let q = m[1] {
                        var part = unescapeRE.replace(Array(p[q]), with: "")
                        part = doubleBackslashRE.replace(part, with: "\\")
                        rebuilt = (rebuilt ?? []) + part
                    } else if let u = m[2] {
                        rebuilt = (rebuilt ?? []) + commentRE.replace(Array(p[u]), with: "")
                    }
                    position = w.upperBound
                }
                phrase = rebuilt
                if address == nil, let ph = phrase, fullMailRE.matches(ph), isValid(ph), hostLooksValid(ph) {
                    address = ph
                    phrase = nil
                } else if let ph = phrase, let a = address, ph == a {
                    phrase = nil
                } else if phrase?.isEmpty ?? true {
                    phrase = nil
                }
            }
            if phrase == nil, let c = comment { phrase = c }
            if let a = address { address = truncateAtSecondAt(a) }
            results.append(Entry(phrase: phrase, address: address))
            s.removeSubrange(whole)
        }
        if s.contains(UInt8(ascii: "@")) {
            var position = 0
            while position < s.count, let m = enclosedRE.captures(s, from: position), let w = m[0] {
                position = w.upperBound
                guard let r = m[1] else { continue }
                let a = Array(s[r])
                if !isValid(a) { continue }
                results.append(Entry(phrase: nil, address: truncateAtSecondAt(a)))
            }
        }
        return results
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    /// `_valid_parsed_address`
    static func isValid(_ a: [UInt8]?) -> Bool {
        guard let a else { return false }
        if a.starts(with: Array(#"""@"#.utf8)) { return false }
        return a.filter { $0 == UInt8(ascii: "\"") }.count != 1
    }

    /// `s/^(([^\@]*)\@([^\@]*)).*/$1/`
    static func truncateAtSecondAt(_ a: [UInt8]) -> [UInt8] {
        guard let first = a.firstIndex(of: UInt8(ascii: "@")) else { return a }
        if let second = a[(first + 1)...].firstIndex(of: UInt8(ascii: "@")) { return Array(a[..<second]) }
        return a
    }

    /// An approximation of `is_fqdn_valid(idn_to_ascii($host), 1)` for the phrase-only case.
    static func hostLooksValid(_ a: [UInt8]) -> Bool {
        guard let at = a.firstIndex(of: UInt8(ascii: "@")) else { return false }
        let host = a[(at + 1)...].prefix { $0 != UInt8(ascii: "@") }
        let labels = host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { l in
            !l.isEmpty && l.count <= 63 && l.allSatisfy { BayesTokenizer.isWord($0) || $0 == UInt8(ascii: "-") || $0 >= 0x80 }
        }
    }
}
