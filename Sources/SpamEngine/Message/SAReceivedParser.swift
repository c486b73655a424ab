import PCRE

/// What `Message::Metadata::Received::parse_received_line` (SpamAssassin 4.0.1) makes of
/// one unfolded Received value.
enum SAReceivedLine: Sendable, Equatable {
    /// A relay (`return $relay`).
    case relay(SARelay)
    /// A handover the parser ignores on purpose (`return 0`): local delivery, a bare
    /// "from X by Y;", a form with no useful address.
    case skipped
    /// No form matched (`return undef`): counted in `num_relays_unparseable`.
    case unparseable
    /// "… with POP3/IMAP …": `found_pop_fetcher_sig`, then `return 0`.
    case fetcherMarker
    /// A qmail-scanner line: its envelope sender replaces the next relay's (`return 0`).
    case qmailScanner(envfrom: String?)
}

/// A port of `parse_received_line`, form by form and in the same order, each regex as in
/// the Perl (the comments there give an example line for each).
enum SAReceivedParser {
    /// The relay fields `parse_received_line` collects before `enough:`.
    struct Fields {
        var ip: [UInt8] = []
        var helo: [UInt8] = []
        var rdns: [UInt8] = []
        var by: [UInt8] = []
        var id: [UInt8] = []
        var ident: [UInt8] = []
        var envfrom: [UInt8]?
        var auth: [UInt8] = []
        var mtaLookedUpDNS = false
    }

    /// `$_` of the Perl: the line being taken apart, with match helpers.
    struct Subject {
        var text: [UInt8]
        /// Match data reused by the many forms that do not match (most of them).
        let scratch: PCREScratch

        init(text: [UInt8], scratch: PCREScratch = PCREScratch()) {
            self.text = text
            self.scratch = scratch
        }

        func m(_ pattern: String, caseless: Bool = false) -> [[UInt8]]? {
            mOptional(pattern, caseless: caseless)?.map { $0 ?? [] }
        }

        /// Like `m`, but an undefined group stays nil (`defined $3`).
        func mOptional(_ pattern: String, caseless: Bool = false) -> [[UInt8]?]? {
            let regex = SAReceivedPatterns.shared.regex(pattern, caseless: caseless)
            guard matches(regex) else { return nil }
            return EvalSupport.captures(regex, text)
        }

        func has(_ pattern: String, caseless: Bool = false) -> Bool {
            matches(SAReceivedPatterns.shared.regex(pattern, caseless: caseless))
        }

        private func matches(_ regex: PCRERegex) -> Bool {
            text.withUnsafeBufferPointer { regex.firstMatch(in: $0, scratch: scratch) != nil }
        }

        /// `s/pattern/replacement/` (first match only); whether it matched.
        @discardableResult
        mutating func sub(_ pattern: String, _ replacement: String = "", caseless: Bool = false) -> Bool {
            let regex = SAReceivedPatterns.shared.regex(pattern, caseless: caseless)
            guard let whole = text.withUnsafeBufferPointer({ regex.firstMatch(in: $0, scratch: scratch) }) else { return false }
            text.replaceSubrange(whole, with: Array(replacement.utf8))
            return true
        }
    }

    static func parse(_ line: [UInt8]) -> SAReceivedLine {
        var s = Subject(text: line)
        var f = Fields()
        s.text = squeezeSpaces(s.text)
        while s.sub("\\s?;$") {}

        if !s.has("^\\(?from ", caseless: true) { return .skipped }
        if s.has("\\bwith local for\\b") { return .skipped }
        if let c = s.m("^from (\\S+) by [^\\s;]+ ?;", caseless: true),
           EvalSupport.captures(SAReceivedPatterns.shared.regex("^\\[[\\d.]+\\]$"), c[1]) == nil {
            return .skipped
        }
        s.sub("[\\s;]+(?:(?:Mon|T(?:ue|hu)|Wed|Fri|S(?:at|un)), )?\\d+ (?:J(?:an|u[nl])|Feb|Ma[ry]|A(?:pr|ug)|Sep|Oct|Nov|Dec) \\d+ \\d+:\\d+(?::\\d+)? \\S+$")
        s.sub("\\)by ", ") by ")

        if let c = s.m(" id <?([^\\s<>;]{3,})") { f.id = c[1] }
        let heloChars = "[-A-Za-z0-9\\.\\^+_&:=?!@%*\\$\\\\\\/]"
        let notHeloChar = "[^-A-Za-z0-9\\.\\^+_&:=?!@%*\\$\\\\\\/]"
        if let c = s.m("\\bhelo=(\(heloChars)+)(?:\(notHeloChar)|$)") {
            f.helo = c[1]
        } else if let c = s.m("\\b(?:HELO|EHLO) (\(heloChars)+)(?:\(notHeloChar)|$)") {
            f.helo = c[1]
        }
        if let c = s.m(" by (\\S+)(?:[^-A-Za-z0-9\\;\\.]|$)") { f.by = c[1] }
        authentication(s, &f)

        let outcome: Outcome
        if s.sub("^from ") {
            outcome = fromForms(&s, &f)
        } else if s.sub("^FROM ") {
            outcome = upperFromForms(s, &f)
        } else if s.sub("^\\(from ") {
            outcome = parenthesizedFromForms(s, &f)
        } else {
            outcome = .fallThrough
        }
        switch outcome {
        case .enough: break
        case .result(let result): return result
        case .fallThrough:
            if f.ip.isEmpty, let c = s.m("\\[($IP_ADDRESS)\\]") { f.ip = c[1] }
            guard !f.ip.isEmpty, !f.by.isEmpty else { return .unparseable }
        }
        return .relay(finish(f))
    }

    /// Where a form leaves the parse: `goto enough`, a `return`, or on to the fallback.
    enum Outcome { case enough, result(SAReceivedLine), fallThrough }

    /// `s/\s+/ /g; s/^ //; s/ $//;` (Perl `\s` on the decoded value: ASCII whitespace).
    static func squeezeSpaces(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var inSpace = false
        for c in b {
            if EvalSupport.isSpace(c) {
                if !inSpace { out.append(0x20) }
                inSpace = true
            } else {
                out.append(c)
                inSpace = false
            }
        }
        if out.first == 0x20 { out.removeFirst() }
        if out.last == 0x20 { out.removeLast() }
        return out
    }

    private static func authentication(_ s: Subject, _ f: inout Fields) {
        if s.has(" by "), let c = s.m(" with ((?:ES|L|UTF8S|UTF8L)MTPS?A|ASMTP|HTTP[SU]?)(?: |;|$)", caseless: true) {
            f.auth = c[1]
        } else if s.has(" by mx\\.google\\.com with ESMTPS id [a-z0-9]{1,4}sm[0-9]{2,9}[a-z]{3}\\.[0-9]{1,3}\\.[0-9]{4}\\.(?:[0-6][0-9]\\.){4}[0-6][0-9]"),
                  let c = s.m("\\(version=([^ ]+) cipher=([^\\)]+)\\)") {
            f.auth = Array("GMail - transport=".utf8) + c[1] + Array(" cipher=".utf8) + c[2]
        } else if let c = s.m("^from .*?(?:\\]\\)|\\)\\]) \\(AUTH: (LOGIN|PLAIN|DIGEST-MD5|CRAM-MD5) \\S+(?:, .*?)?\\) by ") {
            f.auth = c[1]
        } else if s.has("authenticated"), s.has("^from .*?(?:\\](?: \\([^)]*\\))?\\)|\\)\\]) .*?\\(.*?authenticated.*?\\).*? by") {
            f.auth = Array("Sendmail".utf8)
        } else if let c = s.m("from \\S* \\((?:HELO|EHLO) (\\S*)\\) \\[($IP_ADDRESS)\\] by (mail\\.gmx\\.(?:net|com)) \\([^\\)]+\\) with ((?:ESMTP|SMTP))") {
            f.auth = Array("GMX (".utf8) + c[4] + Array(" / ".utf8) + c[3] + [0x29]
        } else if s.has(" \\(authenticated as "), s.has("\\) by .+ \\(\\d{1,2}\\.\\d\\.\\d{3}(?:\\.\\d{1,3})?\\) \\(authenticated as .+\\) id ") {
            f.auth = Array("CriticalPath".utf8)
        } else if let c = s.m("\\) \\(Authenticated sender: \\S+\\) by \\S+ \\(([^\\)]+)\\) with ") {
            f.auth = c[1] == Array("Postfix".utf8) ? c[1] : Array("Postfix (".utf8) + c[1] + [0x29]
        } else if s.has("CommuniGate Pro (HTTP|SMTP|XIMSS|IMAP)"), s.has(" \\(account ") {
            f.auth = Array("Communigate".utf8)
        } else if s.has(" with Microsoft Exchange Server HTTP-DAV\\b") {
            f.auth = Array("HTTP-DAV".utf8)
        } else if s.has(" by "), let c = s.m(" \\(via (HTTP.?)\\)(?: |;|$)", caseless: true) {
            f.auth = c[1]
        }
    }

    /// `enough:` — the clean-up and the relay hash.
    private static func finish(_ f: Fields) -> SARelay {
        var rdns = f.rdns
        while rdns.last == 0x2E { rdns.removeLast() }
        if S.lower(rdns) == Array("unknown".utf8) || rdns.first == 0x5B { rdns = [] }
        var ip = f.ip
        if ip.count >= 5, S.lower(Array(ip[0..<5])) == Array("ipv6:".utf8) { ip.removeFirst(5) }
        if ip.first == 0x5B { ip.removeFirst() }
        if ip.last == 0x5D { ip.removeLast() }
        if let percent = ip.lastIndex(of: 0x25),
           ip[(percent + 1)...].allSatisfy({ S.isWordByte($0) || [0x2E, 0x7E, 0x2D].contains($0) }) {
            ip.removeSubrange(percent...)
        }
        if let c = EvalSupport.captures(mappedIPv4, ip), let v4 = c[1] { ip = v4 }
        var by = f.by
        if by.last == 0x3B { by.removeLast() }
        var envfrom = f.envfrom
        if var e = envfrom {
            while let first = e.first, EvalSupport.isSpace(first) { e.removeFirst() }
            while e.first == 0x3C { e.removeFirst() }
            while let last = e.last, EvalSupport.isSpace(last) { e.removeLast() }
            while e.last == 0x3E { e.removeLast() }
            envfrom = stripChars(e)
        }
        let ipText = S.text(stripChars(ip))
        return SARelay(ip: ipText, rdns: S.text(stripChars(rdns)), helo: S.text(stripChars(f.helo)),
                       by: S.text(stripChars(by)), ident: S.text(stripChars(f.ident)),
                       envfrom: envfrom.map { S.text($0) } ?? "", id: S.text(f.id), auth: S.text(f.auth),
                       isPrivate: EvalSupport.matches(SAReceivedPatterns.ipPrivate, Array(ipText.utf8)),
                       isInternal: false, noReverseDNS: rdns.isEmpty && f.mtaLookedUpDNS)
    }

    private typealias S = EvalSupport

    private static let mappedIPv4 = S.regex("^0*:0*:(?:0*:)*ffff:(\\d+\\.\\d+\\.\\d+\\.\\d+)$", [.caseless])

    /// `s/[\s\000\#\[\]\(\)\<\>\|]/!/gs`
    static func stripChars(_ b: [UInt8]) -> [UInt8] {
        b.map { c in
            EvalSupport.isSpace(c) || [0x00, 0x23, 0x5B, 0x5D, 0x28, 0x29, 0x3C, 0x3E, 0x7C].contains(c) ? 0x21 : c
        }
    }
}

extension SAReceivedParser {
    /// The forms after `s/^FROM //` (a Sendmail variant writing in capitals).
    static func upperFromForms(_ s: Subject, _ f: inout Fields) -> Outcome {
        if let c = s.m("^(\\S+) \\((\\S+) \\[($IP_ADDRESS)\\]\\) BY (\\S+) (?:\\([^\\)]+\\) WITH SMTP )?ID <?(\\S+?)>?(?: FOR <[^>]+>)?$") {
            f.mtaLookedUpDNS = true
            f.helo = c[1]; f.rdns = c[2]; f.ip = c[3]; f.by = c[4]; f.id = c[5]
            if f.rdns == Array("unverified".utf8) { f.rdns = [] }
            return .enough
        }
        return .fallThrough
    }

    /// The forms after `s/^\(from //`.
    static func parenthesizedFromForms(_ s: Subject, _ f: inout Fields) -> Outcome {
        if let c = s.m("^(\\S*) \\[($IP_ADDRESS)\\]\\) by (\\S+) \\(NAVGW .*?\\) with ") {
            f.helo = c[1]; f.ip = c[2]; f.by = c[3]
            return .enough
        }
        if s.has("^\\S+\\@localhost\\) by \\S+ ") { return .result(.skipped) }
        if s.has("^[^\\s\\@]+\\@[^)]+\\) by \\S+\\(jqueuemail\\) id [^\\s;]+") { return .result(.skipped) }
        return .fallThrough
    }
}
