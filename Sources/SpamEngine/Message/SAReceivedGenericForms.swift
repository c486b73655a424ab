extension SAReceivedParser {
    /// Received.pm's "formats get a bit non-standard" section, in its order; nil when no
    /// form matched. (`$mta_looked_up_dns` is set where the Perl sets it.)
    static func genericForms(_ s: Subject, _ f: inout Fields) -> Outcome? {
        if let c = s.m("^(\\S+) \\((\\S+) \\[($IP_ADDRESS)\\]\\) by (\\S+) with \\S+ \\(") {
            f.mtaLookedUpDNS = true
            f.rdns = c[2]; f.ip = c[3]; f.helo = c[1]; f.by = c[4]; return .enough
        }
        if let c = s.m("^(\\S+) \\(\\[($IP_ADDRESS)\\] helo=(\\S+)\\) by (\\S+) with ") {
            f.rdns = c[1]; f.ip = c[2]; f.helo = c[3]; f.by = c[4]; return .enough
        }
        if let c = s.m("^(\\S+) \\(<unknown\\S*>\\[($IP_ADDRESS)\\]\\) by (\\S+) ") {
            f.helo = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
        }
        if let c = s.m("^(\\S+) \\((\\S+\\.\\S+)\\[($IP_ADDRESS)\\]\\) by (\\S+) ") {
            f.mtaLookedUpDNS = true
            f.helo = c[1]; f.rdns = c[2]; f.ip = c[3]; f.by = c[4]; return .enough
        }
        if let c = s.m("^(\\S+) \\((\\S*)\\@\\[($IP_ADDRESS)\\].*\\) by (\\S+) \\(") {
            f.mtaLookedUpDNS = true
            f.helo = c[1]; f.ip = c[3]; f.by = c[4]; f.ident = c[2]; return .enough
        }
        if let c = s.m("by (\\S+\\.hotmail\\.msn\\.com) ") {
            f.by = c[1]
            if let d = s.m("^($IP_ADDRESS) ") { f.ip = d[1] }
            return .enough
        }
        if let c = s.m("^(\\S+) \\((?:HELO|EHLO) (\\S*)\\) \\(($IP_ADDRESS)\\) by (\\S+) \\(qpsmtpd\\/\\S+\\) with (?:ESMTP|SMTP)") {
            f.rdns = c[1]; f.helo = c[2]; f.ip = c[3]; f.by = c[4]; return .enough
        }
        if let c = s.m("^(\\S+) \\(LHLO (\\S*)\\) \\(($IP_ADDRESS)\\) by (\\S+) with LMTP") {
            f.rdns = c[1]; f.helo = c[2]; f.ip = c[3]; f.by = c[4]; return .enough
        }
        if let c = s.m("^(\\S+) \\((?:HELO|EHLO) (\\S*)\\) \\[($IP_ADDRESS)\\] by (\\S+) \\([^\\)]+\\) with (?:ESMTP|SMTP)") {
            f.rdns = c[1]; f.helo = c[2]; f.ip = c[3]; f.by = c[4]; return .enough
        }
        if let c = s.m("^(\\S+) \\(\\[($IP_ADDRESS)\\]\\) by (\\S+) via smtpd \\(for \\S+\\) with SMTP\\(") {
            f.helo = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
        }
        if let outcome = qmailForms(s, &f) { return outcome }
        if s.has(" via HTTP$"), let c = s.m("^\\[($IP_ADDRESS)\\] by (\\S+) via HTTP$") {
            f.ip = c[1]; f.by = c[2]; return .enough
        }
        if let c = s.m("^(\\S+) \\( \\[($IP_ADDRESS)\\]\\).*? by (\\S+) ") {
            f.ip = c[2]; f.by = c[3]; return .enough
        }
        if let c = s.m("^\\((\\S+) \\[($IP_ADDRESS)\\]\\) by (\\S+) ") {
            f.helo = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
        }
        if let c = s.m("^\\[($IP_ADDRESS)\\] by (\\S+) ") ?? s.m("^\\(\\[?($IP_ADDRESS)\\]?\\) by (\\S+) ") {
            f.ip = c[1]; f.by = c[2]; return .enough
        }
        if let c = s.m("^(\\S+) \\[($IP_ADDRESS)\\] by (\\S+) \\[$IP_ADDRESS\\] with ") {
            f.mtaLookedUpDNS = true
            f.helo = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
        }
        if let c = s.m("^(\\S+) \\[\\(($IP_ADDRESS)\\)\\] by (\\S+) \\($IP_ADDRESS\\) ") {
            f.helo = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
        }
        if let c = s.m("^(\\S+) \\(\\[($IP_ADDRESS)\\]\\) by (\\S+) \\(") {
            f.mtaLookedUpDNS = true
            f.helo = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
        }
        if let c = s.m("^(\\S+) \\((\\S+) \\[($IP_ADDRESS)\\]\\).*? by (\\S+)\\b") {
            if c[2] == Array("softdnserr".utf8) {
                f.mtaLookedUpDNS = false
            } else {
                f.mtaLookedUpDNS = true; f.rdns = c[2]
            }
            f.helo = c[1]; f.ip = c[3]; f.by = c[4]; return .enough
        }
        if let c = s.m("^(\\S+) \\(\\[($IP_ADDRESS)(?:[.:]\\d+)?\\]\\).*? by (\\S+) ") {
            f.mtaLookedUpDNS = true
            f.helo = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
        }
        if let c = s.m("^(\\S+) \\((\\S+) \\[($IP_ADDRESS)\\]\\)(?: \\(authenticated bits=\\d+\\))? by (\\S+) \\(") {
            f.mtaLookedUpDNS = true
            f.helo = c[1]; f.rdns = c[2]; f.ip = c[3]; f.by = c[4]; return .enough
        }
        if s.has("with (?:POP3|IMAP)") { return .result(.fetcherMarker) }
        if let c = s.mOptional("^(\\S+) \\((?:HELO|EHLO) ([^\\)]*)\\) \\((\\S*@)?\\[?($IP_ADDRESS)\\]?\\).* by (\\S+) ") {
            f.mtaLookedUpDNS = true
            f.rdns = c[1] ?? []; f.helo = c[2] ?? []; f.ident = c[3] ?? []; f.ip = c[4] ?? []; f.by = c[5] ?? []
            if f.ident.last == 0x40 { f.ident.removeLast() }
            return .enough
        }
        if let c = s.mOptional("^(\\S+) \\((\\S*@)?\\[?($IP_ADDRESS)\\]?\\).* by (\\S+) ") {
            f.mtaLookedUpDNS = true
            f.rdns = c[1] ?? []; f.helo = f.rdns; f.ident = c[2] ?? []; f.ip = c[3] ?? []; f.by = c[4] ?? []
            if f.ident.last == 0x40 { f.ident.removeLast() }
            return .enough
        }
        return oddForms(s, &f)
    }

    /// qmail's `(HELO x) (ident@[ip]) (envelope-sender <…>) by … with SMTP` family.
    private static func qmailForms(_ s: Subject, _ f: inout Fields) -> Outcome? {
        let envelope = "( \\(envelope-sender <\\S+>\\))?"
        guard s.has("^\\S+( \\((?:HELO|EHLO) \\S*\\))? \\((\\S+\\@)?\\[?$IP_ADDRESS\\]?\\)\(envelope) by \\S+( \\(.+\\))* with (.* )?(SMTP|QMQP)(?! id )")
        else { return nil }
        if let c = s.m("^(\\S+) \\((?:HELO|EHLO) ([^ \\(\\)]*)\\) \\((\\S*)\\@\\[?($IP_ADDRESS)\\]?\\)\(envelope) by (\\S+)") {
            f.rdns = c[1]; f.helo = c[2]; f.ident = c[3]; f.ip = c[4]; f.by = c[6]
        } else if let c = s.m("^(\\S+) \\((?:HELO|EHLO) ([^ \\(\\)]*)\\) \\(\\[?($IP_ADDRESS)\\]?\\)\(envelope) by (\\S+)") {
            f.rdns = c[1]; f.helo = c[2]; f.ip = c[3]; f.by = c[5]
        } else if let c = s.m("^(\\S+) \\((\\S*)\\@\\[?($IP_ADDRESS)\\]?\\)\(envelope) by (\\S+)") {
            f.helo = c[1]; f.rdns = c[1]; f.ident = c[2]; f.ip = c[3]; f.by = c[5]
        } else if let c = s.m("^(\\S+) \\(\\[?($IP_ADDRESS)\\]?\\)\(envelope) by (\\S+)") {
            f.helo = c[1]; f.rdns = c[1]; f.ip = c[2]; f.by = c[4]
        }
        if f.rdns != Array("unknown".utf8) {
            f.mtaLookedUpDNS = true
        } else {
            f.rdns = []
        }
        return .enough
    }

    /// The rarer forms after the two catch-all ident forms.
    private static func oddForms(_ s: Subject, _ f: inout Fields) -> Outcome? {
        if s.has(" with http for "), let c = s.m("^\\[($IP_ADDRESS)\\] by (\\S+) with http for ") {
            f.ip = c[1]; f.by = c[2]; return .enough
        }
        if s.has(" via smap "), let c = s.m("^(\\S+)\\(($IP_ADDRESS)\\) by (\\S+) via smap ") {
            f.mtaLookedUpDNS = true
            f.rdns = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
        }
        if let c = s.m("^(\\S+)\\(($IP_ADDRESS), (?:HELO|EHLO) (\\S*)\\) by (\\S+) via smap ") {
            f.mtaLookedUpDNS = true
            f.rdns = c[1]; f.ip = c[2]; f.helo = c[3]; f.by = c[4]; return .enough
        }
        if s.has(" \\(Post"), let c = s.m("^\\[($IP_ADDRESS)\\] by (\\S+) \\(Post") {
            f.ip = c[1]; f.by = c[2]; return .enough
        }
        if s.has(" \\(ArGoSoft"), let c = s.m("^\\[($IP_ADDRESS)\\] by (\\S+) \\(ArGoSoft") {
            f.ip = c[1]; f.by = c[2]; return .enough
        }
        if let c = s.m("^($IP_ADDRESS) by (\\S+) \\((?:SMTPL|InterScan)\\b") {
            f.ip = c[1]; f.by = c[2]; return .enough
        }
        if s.has(" with BSMTP"), s.has("^\\S+ by \\S+ with BSMTP") { return .result(.skipped) }
        if let c = s.m("^(\\S+) \\((\\S+) \\[($IP_ADDRESS)\\]\\) by (\\S+) with ") {
            f.mtaLookedUpDNS = true
            f.helo = c[1]; f.rdns = c[2]; f.ip = c[3]; f.by = c[4]; return .enough
        }
        if let c = s.mOptional("^(\\S+) \\((?:HELO|EHLO) (\\S*)\\) \\((?:(\\S+)\\@)?($IP_ADDRESS).*?\\) by (\\S+) with ") {
            f.mtaLookedUpDNS = true
            f.rdns = c[1] ?? []; f.helo = c[2] ?? []; f.ip = c[4] ?? []; f.by = c[5] ?? []
            if let ident = c[3] { f.ident = ident }
            return .enough
        }
        if let c = s.m("^\\[($IP_ADDRESS)\\] \\((?:account \\S+ )?(?:HELO|EHLO) (\\S*)\\) by (\\S+) \\(") {
            f.ip = c[1]; f.helo = c[2]; f.by = c[3]; return .enough
        }
        if s.has(" \\(CommuniGate Pro"), let c = s.m("^(\\S+) \\(\\[($IP_ADDRESS)\\] verified\\) by (\\S+) \\(") {
            f.mtaLookedUpDNS = true
            f.rdns = c[1]; f.helo = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
        }
        if let c = s.m("^\\(\\[($IP_ADDRESS)\\]\\) by (\\S+) with ") {
            f.ip = c[1]; f.by = c[2]; return .enough
        }
        if let c = s.m("^([^\\d]\\S+) \\(($IP_ADDRESS)\\) by (\\S+) ") {
            f.helo = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
        }
        if s.has("^\\S+ \\(\\S+\\) by \\S+ \\(Content Technologies ") { return .result(.skipped) }
        if let c = s.m("^(\\S+) \\(\\[($IP_ADDRESS)\\] \\[(\\S+)\\]\\) by (\\S+) with ") {
            f.helo = c[1]; f.ip = c[2]; f.by = c[4]; return .enough
        }
        if let c = s.m("^($IP_ADDRESS) by (\\S+) with ") {
            f.ip = c[1]; f.by = c[2]; return .enough
        }
        if let c = s.m("^(\\S+) \\((\\S+)\\[($IP_ADDRESS)\\]\\) by (\\S+) ") {
            f.mtaLookedUpDNS = true
            f.helo = c[1]; f.rdns = c[2]; f.ip = c[3]; f.by = c[4]; return .enough
        }
        if let c = s.m("^\\[($IP_ADDRESS)\\]\\S+ \\((?:HELO|EHLO) (\\S*)\\) by (\\S+) ")
            ?? s.m("^($IP_ADDRESS) \\((?:HELO|EHLO) (\\S*)\\) by (\\S+) ") {
            f.ip = c[1]; f.helo = c[2]; f.by = c[3]; return .enough
        }
        if let c = s.m("^(\\S+) \\[($IP_ADDRESS)\\] by (\\S+) ") {
            f.helo = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
        }
        if let c = s.m("^(\\S+)\\(($IP_ADDRESS)\\) by (\\S+) ") {
            f.rdns = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
        }
        if let c = s.m("^\\[($IP_ADDRESS)\\] by (\\S+) \\(MailGate ") {
            f.ip = c[1]; f.by = c[2]; return .enough
        }
        if let c = s.m("^(\\S+) \\(unverified \\[($IP_ADDRESS)\\]\\) by (\\S+) ") {
            f.helo = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
        }
        if let c = s.m("^($IP_ADDRESS) \\([A-Za-z][^\\)]+\\) by (\\S+) with ") {
            f.ip = c[1]; f.by = c[2]; return .enough
        }
        if let c = s.m("^\\[($IP_ADDRESS)\\] \\(([^\\)]+)\\) by (\\S+) ") {
            f.ip = c[1]; f.by = c[3]
            heloAndIdent(from: c[2], &f)
            return .enough
        }
        if let c = s.m("^(\\S+) \\((?:\\S+\\@)?($IP_ADDRESS)\\) by (\\S+) with ") {
            f.rdns = c[1]; f.ip = c[2]; f.by = c[3]; return .enough
        }
        if let c = s.mOptional("^(\\S+)\\(($IP_ADDRESS)\\)(?:, claiming to be \"(\\S+)\")? via \\S+ by (\\S+),") {
            f.rdns = c[1] ?? []; f.ip = c[2] ?? []; f.helo = c[3] ?? []; f.by = c[4] ?? []
            if c[1] != Array("UNKNOWN".utf8) { f.mtaLookedUpDNS = true }
            return .enough
        }
        if let c = s.m("^(\\S+) \\((\\S+)@($IP_ADDRESS) with login\\) by (\\S+\\.yahoo\\.com) with SMTP") {
            f.helo = c[1]; f.ip = c[3]; f.by = c[4]; return .enough
        }
        if let c = s.m("^X-Originating-IP: ($IP_ADDRESS)$") {
            f.ip = c[1]; f.by = []; return .enough
        }
        return nil
    }

    /// "STUFF TO IGNORE": forms with no useful address (`return 0`), and qmail-scanner's
    /// line whose envelope sender goes to the next relay.
    static func ignoredForms(_ s: Subject, _ f: inout Fields) -> Outcome? {
        let skipped = [
            "^\\S+ \\([^\\s\\@]+\\@$LOCALHOST\\) by \\S+ \\(",
            "^\\S+ \\S+ by \\S+ with local-e?smtp ",
            "^127\\.0\\.0\\.1 \\(AVG SMTP \\S+ \\[\\S+\\]\\)",
            "^\\S+\\@\\S+ by \\S+ by uid \\S+ ",
            "^\\S+\\@\\S+ by \\S+ ",
            "^Unknown\\/Local \\(",
            "^$LOCALHOST \\((?:\\S+\\@)?$LOCALHOST[\\)\\[]",
            "^\\S+ \\((?:\\S+\\@)?$LOCALHOST\\) ",
            "^\\S+ \\(\\S+\\@\\S+ \\[$LOCALHOST\\]\\) ",
            "^\\(AUTH: \\S+\\) by \\S+ with ",
            "^localhost \\(localhost \\[\\[UNIX: localhost\\]\\]\\) by ",
            "^\\S+\\.amazon\\.com by \\S+\\.amazon\\.com with ESMTP \\(peer crosscheck: ",
            "^[^\\.]+ by \\S+ with Novell_GroupWise",
            "^no\\.name\\.available by \\S+ via smtpd \\(for ",
        ]
        if skipped.contains(where: { s.has($0) }) { return .result(.skipped) }
        if s.has("^\\S+ by \\S+ \\(.{0,100}\\) with qmail-scanner") {
            guard var envfrom = f.envfrom else { return .result(.qmailScanner(envfrom: nil)) }
            while let first = envfrom.first, EvalSupport.isSpace(first) || first == 0x3C { envfrom.removeFirst() }
            while let last = envfrom.last, EvalSupport.isSpace(last) || last == 0x3E { envfrom.removeLast() }
            return .result(.qmailScanner(envfrom: EvalSupport.text(stripChars(envfrom))))
        }
        let skippedAfter = [
            "^\\S+ by \\S+ with local",
            "^\\S+ \\(\\[unix socket\\]\\) by \\S+ \\(Cyrus v[0-9]*?\\.[0-9]*?\\.[0-9]*?\\) with LMTPA",
            "^\\S+ by \\S+ (?:with|via|for|\\()",
            "^\\S+ (?:(?:with|via|for) \\S+|\\(unverified\\)) by\\b",
            "^\\S+ \\(unknown\\) by \\S+ \\(SG\\) with \\b",
            "^\\S+ \\(\\S+ \\[local\\]\\) by \\S+ \\(OpenSMTPD\\) with \\b",
            "\\(LSMTP for",
            "^\\(\\[$LOCALHOST\\]\\) with MailEnable ",
            "^facebook\\.com \\([^\\)]+\\) by facebook\\.com with Thrift id \\S+$",
            "^\\S+ named \\S+ by gmailapi\\.google\\.com with HTTPREST$",
            "^\\S+ id \\S+$",
            "^\\[<.*? \\(Jetsend",
        ]
        if skippedAfter.contains(where: { s.has($0) }) { return .result(.skipped) }
        return nil
    }
}
