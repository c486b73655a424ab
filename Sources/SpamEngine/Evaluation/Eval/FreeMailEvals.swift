import MoatCore
import PCRE

/// Port of `Mail::SpamAssassin::Plugin::FreeMail` (4.0.1): `check_freemail_from`,
/// `check_freemail_header`, `check_freemail_replyto`, `check_freemail_body`.
public struct FreeMailEvals: Sendable {
    typealias S = EvalSupport

    /// `freemail_domains` entries without wildcards (lowercase).
    public var domains: Set<String> = []
    /// `\@(?:…)$` built from the wildcard entries (`*` → `[^.]*`, `?` → `.`), or nil.
    var wildcardRegex: PCRERegex?
    /// `freemail_welcomelist` / `freemail_whitelist` entries (addresses or domains, lowercase).
    public var welcomelist: Set<String> = []
    var emailRegex: PCRERegex
    /// `^(?:(?i)mailto):EMAIL` and the body pre-strip pattern, compiled once (the TLD
    /// alternation makes these large).
    var mailtoRegex: PCRERegex
    var stripRegex: PCRERegex
    var maxBodyEmails = 5
    var maxBodyFreemails = 3
    var skipWhenOverMax = true
    var skipBulkEnvelopeFrom = true
    /// The per-message slot of `bodyFreemails`. The value depends on the configuration, but
    /// a message is evaluated against one ruleset (`RuleEngine` makes an SAMessage per scan),
    /// so one slot serves every instance: a ruleset reload takes no new slot.
    static let bodyFreemailsKey = SAMemoKey<[[UInt8]]?>()

    /// `freemail_available`: false when no freemail_domains were configured.
    public var isAvailable: Bool { !domains.isEmpty || wildcardRegex != nil }

    public init(config: RuleConfiguration) {
        var wildcards: Set<String> = []
        for entry in config.directives["freemail_domains"] ?? [] {
            for word in entry.value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                // Only [a-zA-Z0-9.*?-] are accepted; others are warned about and skipped.
                guard word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".*?-".contains($0)) }) else { continue }
                let value = word.lowercased()
                if value.contains("*") || value.contains("?") { wildcards.insert(value) } else { domains.insert(value) }
            }
        }
        if !wildcards.isEmpty {
            let alternatives = wildcards.sorted().map { value -> String in
                var out = ""
                for char in value {
                    switch char {
                    case ".": out += "\\."
                    case "?": out += "."
                    case "*": out += "[^.]*"
                    case "-": out += "\\-"
                    default: out.append(char)
                    }
                }
                return out
            }
            wildcardRegex = S.regex("\\@(?:" + alternatives.joined(separator: "|") + ")$")
        }
        for key in ["freemail_welcomelist", "freemail_whitelist"] {
            for entry in config.directives[key] ?? [] {
                for word in entry.value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                    let value = word.lowercased()
                    if Self.validWelcomelist.firstMatch(in: Array(value.utf8)) != nil { welcomelist.insert(value) }
                }
            }
        }
        func setting(_ key: String) -> Int? {
            (config.directives[key]?.last?.value).flatMap { Int($0.split(separator: " ").first ?? "") }
        }
        if let v = setting("freemail_max_body_emails") { maxBodyEmails = v }
        if let v = setting("freemail_max_body_freemails") { maxBodyFreemails = v }
        if let v = setting("freemail_skip_when_over_max") { skipWhenOverMax = v != 0 }
        if let v = setting("freemail_skip_bulk_envfrom") { skipBulkEnvelopeFrom = v != 0 }
        let tlds = EvalRegistryBoundaries(config: config).validTLDsPattern
        emailRegex = S.regex(
            "(?=.{0,64}\\@)(?<![a-z0-9!#\\$%&'*+\\/=?^_`{|}~-])([a-z0-9!#\\$%&'*+\\/=?^_`{|}~-]+"
                + "(?:\\.[a-z0-9!#\\$%&'*+\\/=?^_`{|}~-]+)*\\@(?:[a-z0-9](?:[a-z0-9-]{0,59}[a-z0-9])?\\.){1,4}"
                + tlds + ")", [.caseless])
        mailtoRegex = S.regex("^(?:(?i)mailto):" + emailRegex.pattern, [.caseless])
        stripRegex = S.regex("<?(?<!mailto:)" + emailRegex.pattern
            + "(?:>|\\s{1,10}(?!(?:fa(?:x|csi)|tel|phone|e?-?mail))[a-z]{2,11}:)", [.caseless])
    }

    static let validWelcomelist = S.regex("\\w[.@]\\w")
    static let defaultEmailWelcomelist = S.regex(
        "^(?:abuse|support|sales|info|helpdesk|contact|kontakt|(?:post|host|domain)master|undisclosed.*"
            + "|request-[a-f0-9]{16}|bounced?-"
            + "|[a-f0-9]{8}(?:\\.[a-f0-9]{8}|-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})|.+=.+=.+)\\@",
        [.caseless])
    static let skipReplyToEnvelopeFrom = S.regex(
        "(?:^(?:post|host|domain)master|^double-bounce|^(?:sentto|owner|return|(?:gr)?bounced?)-.+"
            + "|-(?:request|bounces?|admin|owner)|\\b(?:do[._-t]?)?no[._-t]?repl(?:y|ies)|.+=.+)\\@",
        [.caseless])

    /// `_is_freemail` (the `freemail_import_*welcomelist_auth` options, default off, are not supported).
    public func isFreemail(_ email: [UInt8]) -> Bool {
        guard !email.isEmpty else { return false }
        let text = S.text(email)
        if welcomelist.contains(text) { return false }
        var domain = email
        if let at = domain.lastIndex(of: UInt8(ascii: "@")) { domain.removeSubrange(...at) }
        let domainText = S.text(domain)
        if welcomelist.contains(domainText) { return false }
        if S.matches(Self.defaultEmailWelcomelist, email) { return false }
        if domains.contains(domainText) { return true }
        if let wildcardRegex, S.matches(wildcardRegex, email) { return true }
        return false
    }

    /// Rule arguments compiled so far: a handful, each compiled once.
    private static let argumentRegexes = Locked<[String: ArgumentRegex]>([:])

    private struct ArgumentRegex: Sendable {
        var regex: PCRERegex?
        var valid: Bool
    }

    /// An optional regex argument (`'\d@'`), compiled as `compile_regexp($re, 0)`: bare, or
    /// delimited `/…/flags` / `m{…}flags`.
    static func argumentRegex(_ argument: String?) -> (regex: PCRERegex?, valid: Bool) {
        guard let argument else { return (nil, true) }
        if let known = argumentRegexes.withLock({ $0[argument] }) { return (known.regex, known.valid) }
        let compiled = compileArgumentRegex(argument)
        argumentRegexes.withLock { $0[argument] = ArgumentRegex(regex: compiled.regex, valid: compiled.valid) }
        return compiled
    }

    private static func compileArgumentRegex(_ argument: String) -> (regex: PCRERegex?, valid: Bool) {
        var pattern = argument
        var options: PCREOptions = []
        let chars = Array(argument)
        var body: (open: Int, close: Int)?
        if chars.count >= 2, chars[0] == "/", let close = chars.lastIndex(of: "/"), close > 0 {
            body = (1, close)
        } else if chars.count >= 4, chars[0] == "m", let closer = ["{": "}", "(": ")", "[": "]", "<": ">"][chars[1]] ?? (chars[1].isPunctuation ? chars[1] : nil),
                  let close = chars.lastIndex(of: closer), close > 1 {
            body = (2, close)
        }
        if let body, chars[(body.close + 1)...].allSatisfy({ "imsxpo".contains($0) }) {
            pattern = String(chars[body.open..<body.close])
            for flag in chars[(body.close + 1)...] {
                switch flag {
                case "i": options.insert(.caseless)
                case "m": options.insert(.multiline)
                case "s": options.insert(.dotAll)
                case "x": options.insert(.extended)
                default: break
                }
            }
        }
        do {
            return (try PCRERegex(pattern, options: options), true)
        } catch {
            return (nil, false)
        }
    }

    private static let allFromAddressesKey = SAMemoKey<[[UInt8]]>()

    /// `$pms->all_from_addrs()`, each lowercased, empties dropped, deduplicated (order kept);
    /// once per message (the FreeMail and WLBL functions all read it).
    static func allFromAddresses(_ subject: any RuleSubject) -> [[UInt8]] {
        S.memo(subject, allFromAddressesKey) { computeAllFromAddresses(subject) }
    }

    private static func computeAllFromAddresses(_ subject: any RuleSubject) -> [[UInt8]] {
        var addresses: [[UInt8]] = []
        let resent = S.list(subject, "Resent-From:addr")
        if !resent.isEmpty {
            addresses = resent
        } else {
            for spec in ["From:addr", "Envelope-Sender:addr", "Resent-Sender:addr", "X-Envelope-From:addr", "EnvelopeFrom:addr"] {
                for address in S.list(subject, spec) where !address.isEmpty {
                    // tr/././s
                    var squeezed: [UInt8] = []
                    for byte in address where !(byte == 0x2E && squeezed.last == 0x2E) { squeezed.append(byte) }
                    addresses.append(squeezed)
                }
            }
        }
        var seen: Set<[UInt8]> = []
        return addresses.filter { seen.insert($0).inserted }
    }

    public func checkFreemailFrom(_ input: EvalInput) -> Bool {
        guard isAvailable else { return false }
        let (regex, valid) = Self.argumentRegex(input.arguments.first)
        guard valid else { return false }
        var seen: Set<[UInt8]> = []
        for email in Self.allFromAddresses(input.subject).map(S.lower) where !email.isEmpty && seen.insert(email).inserted {
            guard isFreemail(email) else { continue }
            if let regex, !S.matches(regex, email) { continue }
            return true
        }
        return false
    }

    public func checkFreemailHeader(_ input: EvalInput) -> Bool {
        guard isAvailable, let header = input.arguments.first else { return false }
        let (regex, valid) = Self.argumentRegex(input.arguments.count > 1 ? input.arguments[1] : nil)
        guard valid else { return false }
        for email in S.list(input.subject, header + ":addr").map(S.lower) where isFreemail(email) {
            if let regex, !S.matches(regex, email) { continue }
            return true
        }
        return false
    }

    public func checkFreemailBody(_ input: EvalInput) -> Bool {
        guard isAvailable, let body = bodyFreemails(input.subject) else { return false }
        let (regex, valid) = Self.argumentRegex(input.arguments.first)
        guard valid else { return false }
        if let regex { return body.contains { S.matches(regex, $0) } }
        return !body.isEmpty
    }

    public func checkFreemailReplyTo(_ input: EvalInput) -> Bool {
        guard isAvailable else { return false }
        let what = input.arguments.first ?? "replyto"
        guard what == "replyto" || what == "reply" else { return false }
        if skipBulkEnvelopeFrom, let envelopeFrom = S.list(input.subject, "EnvelopeFrom").first,
           S.matches(Self.skipReplyToEnvelopeFrom, envelopeFrom) {
            return false
        }
        let fromAddresses = S.list(input.subject, "From:addr").map(S.lower)
        let replyToAddresses = S.list(input.subject, "Reply-To:addr").map(S.lower)
        let fromIsFreemail = fromAddresses.contains(where: isFreemail)
        let replyToIsFreemail = replyToAddresses.contains(where: isFreemail)
        let fromNotInReplyTo = !fromAddresses.contains(where: { replyToAddresses.contains($0) })
        if fromIsFreemail && replyToIsFreemail && fromNotInReplyTo { return true }
        if what == "replyto" {
            if !replyToIsFreemail { return false }
        } else {
            // Perl: `if (@replyto and !$replyto_is_fm) {…} elsif (!$from_is_fm) {…}`
            if !replyToAddresses.isEmpty && !replyToIsFreemail {
                return false
            } else if !fromIsFreemail {
                return false
            }
        }
        guard let body = bodyFreemails(input.subject), !body.isEmpty else { return false }
        let replyAddresses = what == "replyto" ? replyToAddresses : (replyToIsFreemail ? replyToAddresses : fromAddresses)
        for bodyEmail in body {
            for replyEmail in replyAddresses where bodyEmail != replyEmail { return true }
        }
        return false
    }

    private static let httpWithAt = S.regex("<?https?://\\S{0,255}(?:\\@|%40)\\S{0,255}", [.caseless])

    /// `_parse_body`, once per message.
    func bodyFreemails(_ subject: any RuleSubject) -> [[UInt8]]? {
        S.memo(subject, Self.bodyFreemailsKey) { computeBodyFreemails(subject) }
    }

    /// `_parse_body`: the freemail addresses in the body, or nil when the email limits were
    /// exceeded (`freemail_skip_body`). Addresses come from `mailto:` URIs and the rendered
    /// body text (Subject first, as SpamAssassin's decoded-stripped text array).
    private func computeBodyFreemails(_ subject: any RuleSubject) -> [[UInt8]]? {
        var emails: [[UInt8]] = []
        var seen: Set<[UInt8]> = []
        for uri in subject.uris {
            // The pattern is anchored on a `mailto:` scheme: other URIs cannot match.
            guard uri.count >= 7, uri.prefix(7).map(EvalSupport.lowerByte).elementsEqual("mailto:".utf8) else { continue }
            if let c = S.captures(mailtoRegex, uri), let email = c[1] {
                let lower = S.lower(email)
                if seen.insert(lower).inserted { emails.append(lower) }
                if emails.count >= 20 { break }
            }
        }
        body: for paragraph in subject.bodyParagraphs {
            // Every address has an @; the two substitutions only ever blank text, so a
            // paragraph without one yields nothing.
            guard paragraph.contains(0x40) else { continue }
            var text = S.replaceAll(Self.httpWithAt, in: paragraph, with: [0x20])
            text = S.replaceAll(stripRegex, in: text, with: [0x20])
            for match in S.allMatches(emailRegex, text) {
                guard let range = match[1] else { continue }
                let email = S.lower(Array(text[range]))
                if seen.insert(email).inserted { emails.append(email) }
                if emails.count >= 40 { break body }
            }
        }
        var countAll = 0, countFreemail = 0
        var found: [[UInt8]] = []
        for email in emails {
            countAll += 1
            if countAll == maxBodyEmails && skipWhenOverMax { return nil }
            guard isFreemail(email) else { continue }
            countFreemail += 1
            if countFreemail == maxBodyFreemails && skipWhenOverMax { return nil }
            if !found.contains(email) { found.append(email) }
        }
        return found
    }
}

extension EvalRegistry {
    /// Registers the FreeMail plugin's functions under SpamAssassin's names.
    public mutating func registerFreeMailEvals(config: RuleConfiguration) {
        let freeMail = FreeMailEvals(config: config)
        register("check_freemail_from") { freeMail.checkFreemailFrom($0) ? 1 : 0 }
        register("check_freemail_header") { freeMail.checkFreemailHeader($0) ? 1 : 0 }
        register("check_freemail_body") { freeMail.checkFreemailBody($0) ? 1 : 0 }
        register("check_freemail_replyto") { freeMail.checkFreemailReplyTo($0) ? 1 : 0 }
    }
}
