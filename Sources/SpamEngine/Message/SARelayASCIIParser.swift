/// ``SARelays/parse(_:)`` for an all-ASCII line, on bytes: there every Character is one
/// byte (a decoded Received value holds no CRLF pair) and lowercasing is ASCII, so each
/// step below is the Character-based step of `parse` it follows, without building and
/// re-searching Strings at every step.
extension SARelays {
    static func parseASCII(_ line: [UInt8]) -> SARelay? {
        var s = squeezeASCII(line)
        while s.last == 0x3B {
            s.removeLast()
            while s.last == 0x20 { s.removeLast() }
        }
        // drop the date part after the last ';'
        if let semi = s.lastIndex(of: 0x3B) { s.removeSubrange(semi...) }
        guard s.starts(with: "from ".utf8) else { return nil }
        let lower = s.map(EvalSupport.lowerByte)
        if isIgnoredHandoverASCII(s, lower: lower) { return nil }
        var fromPart = s[...]
        var byPart = s[s.endIndex...]
        if let k = asciiFind(lower, " by ") {
            fromPart = s[..<k]
            byPart = s[(k + 4)...]
        }
        let from = Array(fromPart)
        // IP: the first IPv4 literal in the from-part (bracketed preferred)
        guard let ip = firstIPv4(from, bracketed: true) ?? firstIPv4(from, bracketed: false) else { return nil }
        var relay = SARelay(ip: ip, rdns: "", helo: "", by: "", ident: "", envfrom: "", id: "", auth: "",
                            isPrivate: isPrivate(ip), isInternal: false)
        let fromWords = from.dropFirst(5).split(separator: 0x20)
        let firstWord = fromWords.first.map(Array.init) ?? []
        relay.helo = text(firstWord)
        if firstWord.first == 0x5B || firstWord.first == 0x28 { relay.helo = "" }
        let paren = fromWords.count > 1 ? Array(fromWords[fromWords.startIndex + 1]) : []
        let open = from.firstIndex(of: 0x28), close = from.firstIndex(of: 0x29)
        if paren.starts(with: "([".utf8) || paren.starts(with: "(IPv6".utf8) {
            if let h = valueASCII(after: "helo=", in: from) {
                // Exim: "from RDNS ([ip] helo=HELO)"
                relay.rdns = text(firstWord)
                relay.helo = text(h)
            }
            // sendmail/MS: "from HELO ([ip])" – no reverse DNS
        } else if paren == Array("(HELO".utf8) {
            // qmail: "from RDNS (HELO helo) (ip)" (a word never holds "(HELO ")
            if let h = valueASCII(after: "(HELO ", in: from) { relay.helo = text(trimmingASCII(h, "()")) }
            relay.rdns = firstWord.map(EvalSupport.lowerByte) == Array("unknown".utf8) ? "" : text(firstWord)
        } else if paren.first == 0x28, let open, let close, open < close {
            // sendmail/Postfix: "from HELO (RDNS [ip])", "(ident@RDNS [ip])", "(IDENT:x@RDNS [ip])"
            var inside = from[(open + 1)..<close]
            var ident: ArraySlice<UInt8> = []
            if inside.starts(with: "IDENT:".utf8) { inside = inside.dropFirst(6) }
            let word = Array(inside.prefix { $0 != 0x20 })
            if firstIPv4(word, bracketed: false).map({ Array($0.utf8) == word }) ?? false {
                // "from HELO (ip)": SA uses the HELO as rdns too
                relay.rdns = text(firstWord)
            } else if word.first != 0x5B {
                var w = word[...]
                if let at = w.lastIndex(of: 0x40) { ident = w[..<at]; w = w[(at + 1)...] }
                relay.rdns = text(w)
                relay.ident = text(ident)
            }
        }
        // "from [ip1] (rdns [ip2])": the connecting address is the one in parentheses and the
        // bracketed HELO literal is kept with SA's '!' for brackets.
        if firstWord.first == 0x5B, paren.first == 0x28, let open, let close, open < close {
            let inside = Array(from[(open + 1)..<close])
            if let ip2 = firstIPv4(inside, bracketed: true) ?? firstIPv4(inside, bracketed: false),
               !inside.starts(with: "helo=".utf8) {
                relay.ip = ip2
                relay.isPrivate = isPrivate(ip2)
                relay.helo = text(firstWord.map { $0 == 0x5B || $0 == 0x5D ? 0x21 : $0 })
                let w = inside.prefix { $0 != 0x20 && $0 != 0x5B }
                relay.rdns = w.contains(0x2E) ? text(w) : ""
            }
        }
        if paren.starts(with: "([".utf8), asciiFind(from, "helo=") == nil, asciiFind(lower, "(exim ") != nil {
            relay.rdns = text(firstWord)
        }
        let rdns = Array(relay.rdns.utf8)
        if rdns.first == 0x5B || rdns.starts(with: "@[".utf8) || rdns.map(EvalSupport.lowerByte) == Array("unknown".utf8) {
            relay.rdns = ""
        }
        // Exim: "from [ip] (helo=HELO)"
        if firstWord.first == 0x5B, paren.starts(with: "(helo=".utf8), let h = valueASCII(after: "(helo=", in: from) {
            relay.helo = text(h)
            relay.rdns = ""
        }
        // "from IP by HOST with HTTP" (webmail): the first word is the address
        if firstIPv4(firstWord, bracketed: false).map({ Array($0.utf8) == firstWord }) ?? false, paren.first != 0x28 {
            relay.helo = ""
        }
        let byWords = byPart.split(separator: 0x20)
        if let b = byWords.first { relay.by = text(trimmingASCII(b, "();")) }
        if let i = byWords.firstIndex(where: { $0.elementsEqual("id".utf8) }), i + 1 < byWords.endIndex {
            relay.id = text(trimmingASCII(byWords[i + 1], ";<>"))
        }
        if let e = valueASCII(after: "(envelope-sender <", in: s) { relay.envfrom = text(trimmingASCII(e, "<>")) }
        else if let e = valueASCII(after: "envelope-from <", in: s) { relay.envfrom = text(trimmingASCII(e, "<>")) }
        else if let e = valueASCII(after: "envelope-from ", in: s) { relay.envfrom = text(trimmingASCII(e, "<>()")) }
        if let proto = authenticatedProtocol(s) { relay.auth = proto }
        if relay.auth.isEmpty {
            // (` with ASMTP` is one of authenticatedProtocol's forms)
            if asciiFind(lower, "(authenticated bits=") != nil { relay.auth = "Sendmail" }
            else if asciiFind(lower, "(authenticated sender:") != nil { relay.auth = "Postfix" }
        }
        return relay
    }

    /// `isIgnoredHandover` of an ASCII line (`lower` its lowercase form).
    static func isIgnoredHandoverASCII(_ line: [UInt8], lower: [UInt8]) -> Bool {
        if hasWithLocal(lower.map(Unicode.Scalar.init)) { return true }
        if asciiFind(lower, "(fetchmail-") != nil { return true }
        let rest = line.dropFirst(5)
        return isBareFromBy(rest.map(Unicode.Scalar.init)) && rest.first != 0x5B
    }

    /// `value(after:in:)`: the bytes after `key` up to a space, `)`, `;` or `>`; nil when
    /// `key` is absent or nothing follows it.
    static func valueASCII(after key: StaticString, in s: [UInt8]) -> ArraySlice<UInt8>? {
        guard let k = asciiFind(s, key) else { return nil }
        let start = k + key.utf8CodeUnitCount
        var end = start
        while end < s.count, s[end] != 0x20, s[end] != 0x29, s[end] != 0x3B, s[end] != 0x3E { end += 1 }
        return start == end ? nil : s[start..<end]
    }

    /// `trimming(_:)`: leading and trailing bytes of `chars` removed.
    static func trimmingASCII(_ s: ArraySlice<UInt8>, _ chars: StaticString) -> ArraySlice<UInt8> {
        chars.withUTF8Buffer { set in
            var t = s
            while let f = t.first, set.contains(f) { t = t.dropFirst() }
            while let l = t.last, set.contains(l) { t = t.dropLast() }
            return t
        }
    }

    static func text(_ b: some Collection<UInt8>) -> String { String(decoding: b, as: UTF8.self) }
}
