extension SAReceivedParser {
    /// The forms after `s/^from //` in `parse_received_line`, in Received.pm's order.
    static func fromForms(_ s: inout Subject, _ f: inout Fields) -> Outcome {
        if let c = s.m("(?:return-path:? |envelope-(?:sender|from)[ =])(\\S+)\\b", caseless: true) { f.envfrom = c[1] }

        if s.has(" \\((?:SquirrelMail|NaSMail) authenticated user "),
           let c = s.m("($IP_ADDRESS)\\b(?![.-]).{10,80}by (\\S+) with HTTP") {
            f.ip = c[1]; f.by = c[2]; return .enough
        }
        if s.has("aol\\.com"), s.has("with HTTP \\(WebMailUI\\)"),
           let c = s.m("($IP_ADDRESS) by (\\S+) \\($IP_ADDRESS\\) with HTTP \\(WebMailUI\\)") {
            f.ip = c[1]; f.by = c[2]; return .enough
        }
        if let outcome = vendorForms(s, &f) { return outcome }

        if s.has("\\bwith HTTP\\b"), let c = s.m("^($IP_ADDRESS) \\(\\[$IP_ADDRESS\\]\\) by (\\S+)") {
            f.ip = c[1]; f.by = c[2]; return .enough
        }
        if !s.has(" by \\S+ \\(qmail-\\S+\\) with "),
           let c = s.m("^(\\S+) \\((\\S+) \\[($IP_ADDRESS)\\].*\\) by (\\S+) \\(") {
            f.mtaLookedUpDNS = true
            f.helo = c[1]; f.rdns = c[2]; f.ip = c[3]; f.by = c[4]
            stripIdent(&f, "^IDENT:([^\\@]*)\\@")
            stripIdent(&f, "^([^\\@]*)\\@")
            return .enough
        }
        if let outcome = genericForms(s, &f) { return outcome }
        if let outcome = ignoredForms(s, &f) { return outcome }
        if f.helo.isEmpty, let c = s.m("^(\\S+)[^-A-Za-z0-9\\.]") { f.helo = c[1] }
        return .fallThrough
    }

    /// `$rdns =~ s/PATTERN// and $ident = $1`
    private static func stripIdent(_ f: inout Fields, _ pattern: String) {
        var rdns = Subject(text: f.rdns)
        guard let c = rdns.m(pattern) else { return }
        rdns.sub(pattern)
        f.rdns = rdns.text
        f.ident = c[1]
    }

    /// `$sub =~ s/helo=(\S+)// and $helo = $1; $sub =~ s/ident=(\S*)// and $ident = $1;`
    static func heloAndIdent(from sub: [UInt8], _ f: inout Fields) {
        var rest = Subject(text: sub)
        if let c = rest.m("helo=(\\S+)") { rest.sub("helo=(\\S+)"); f.helo = c[1] }
        if let c = rest.m("ident=(\\S*)") { rest.sub("ident=(\\S*)"); f.ident = c[1] }
    }

    /// The `if … elsif …` chain keyed on an MTA's signature (Microsoft, XMail, ecelerity,
    /// Exim, Postfix, Scalix, Lotus Domino); nil when the chain falls through.
    private static func vendorForms(_ s: Subject, _ f: inout Fields) -> Outcome? {
        if s.has(" SMTPSVC") {
            if let c = s.m("^(\\S*) \\(\\[($IP_ADDRESS)\\][^\\)]{0,40}\\) by (\\S+) with Microsoft SMTPSVC") {
                f.helo = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
            }
            if s.has("^mail pickup service by (\\S+) with Microsoft SMTPSVC$") { return .result(.skipped) }
        } else if s.has(" with (?:Microsoft SMTP Server|mapi id) (?:\\([^\\)]+\\) )?\\d+\\.\\d+\\.\\d+\\.\\d+(?:$| )") {
            if let c = s.m("^(\\S+) \\(\\[?($IP_ADDRESS)(?:%[A-Z0-9._~-]*)?\\]?\\) by (\\S+) ") {
                f.helo = c[1]; f.ip = c[2]; f.by = c[3]; f.id = []; return .enough
            }
        } else if s.has("\\[XMail ") {
            if let c = s.m("^(\\S+) \\((\\[?$IP_ADDRESS\\]?)(?::\\d+)\\) by (\\S+)(?: \\(\\S+\\))? with \\[XMail") {
                f.helo = c[1]; f.ip = c[2]; f.by = c[3]
                if let d = s.m(" id <(\\S+)>") { f.id = d[1] }
                if let d = s.m(" from <(\\S+)>") { f.envfrom = d[1] }
                return .enough
            }
        } else if s.has("\\(ecelerity\\b") {
            if let c = s.m("^\\(\\[($IP_ADDRESS):\\d+\\] helo=(\\S+)\\) by (\\S+) ") {
                f.ip = c[1]; f.helo = c[2]; f.by = c[3]; return .enough
            }
            if let c = s.m("^\\S+ \\(\\[($IP_ADDRESS):\\d+\\]\\) by (\\S+) ") {
                f.ip = c[1]; f.by = c[2]; return .enough
            }
        } else if s.has("Exim") {
            return eximForms(s, &f)
        } else if s.has(" \\(Postfix\\) with") {
            if let c = s.m("^(\\S+) \\((\\S+) \\[($IP_ADDRESS)\\]\\) by (\\S+) ") ?? s.m("^(\\S+) \\((\\S+)\\[($IP_ADDRESS)\\]\\) by (\\S+) ") {
                f.mtaLookedUpDNS = true
                f.helo = c[1]; f.rdns = c[2]; f.ip = c[3]; f.by = c[4]
                if f.rdns == Array("unknown".utf8) { f.rdns = [] }
                return .enough
            }
        } else if s.has("\\(Scalix SMTP Relay") {
            if let c = s.m("^(\\S+) \\( ?($IP_ADDRESS)\\) by (\\S+)") {
                f.helo = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
            }
        } else if s.has(" \\(Lotus Domino ") {
            if let c = s.m("^(\\S+) \\(\\[($IP_ADDRESS)\\]\\) by (\\S+) \\(Lotus") {
                f.mtaLookedUpDNS = false
                f.helo = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
            }
        }
        return nil
    }

    /// Exim's many formats; nil when none matched ("probably forged. fall through").
    private static func eximForms(_ s: Subject, _ f: inout Fields) -> Outcome? {
        if s.has("\\bwith local(?:-\\S+)? ") { return .result(.skipped) }
        if let c = s.m("^\\[($IP_ADDRESS)\\] \\((.*?)\\) by (\\S+) ") {
            f.ip = c[1]; f.by = c[3]
            heloAndIdent(from: c[2], &f)
            return .enough
        }
        if let c = s.m("^(\\S+) \\(\\[($IP_ADDRESS)\\](.*?)\\) by (\\S+) ") {
            f.rdns = c[1]; f.ip = c[2]; f.by = c[4]
            f.helo = f.rdns
            heloAndIdent(from: c[3], &f)
            return .enough
        }
        if let c = s.m("^(\\S+) \\[($IP_ADDRESS)\\](:\\d+)? by (\\S+) ") {
            f.rdns = c[1]; f.ip = c[2]; f.helo = c[1]; f.by = c[4]; return .enough
        }
        if let c = s.m("^(\\S+) ") { f.rdns = c[1] }
        if let c = s.m(" \\((\\S+)\\) ") { f.helo = c[1] }
        if let c = s.m(" \\[($IP_ADDRESS)(?:\\.\\d+)?\\] ") { f.ip = c[1] }
        if let c = s.m("by (\\S+) ") {
            f.by = c[1]
            if !f.ip.isEmpty { return .enough }
        }
        return nil
    }
}
