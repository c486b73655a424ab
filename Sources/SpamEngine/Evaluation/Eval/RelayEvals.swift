import Foundation
import PCRE

/// Ports of `Mail::SpamAssassin::Plugin::RelayEval` (4.0.1) that read the relay counts and
/// relay fields of `Message::Metadata::Received`.
public enum RelayEvals {
    typealias S = EvalSupport

    static func register(into registry: inout EvalRegistry) {
        let functions: [(String, @Sendable (EvalInput) -> Bool)] = [
            ("check_all_trusted", { c in counts(c).map { $0.trusted > 0 && $0.untrusted == 0 && $0.unparseable == 0 } ?? false }),
            ("check_no_relays", { c in counts(c).map { $0.trusted == 0 && $0.untrusted == 0 && $0.unparseable == 0 } ?? false }),
            ("check_relays_unparseable", { c in (counts(c)?.unparseable ?? 0) > 0 }),
            ("helo_ip_mismatch", heloIPMismatch),
            ("check_for_no_rdns_dotcom_helo", checkForNoRDNSDotcomHelo),
            ("check_for_forged_received_trail", { forgedReceived($0).mismatchFrom > 1 }),
            ("check_for_forged_received_ip_helo", { forgedReceived($0).mismatchIPHelo > 0 }),
        ]
        for (name, function) in functions {
            registry.register(name) { function($0) ? 1 : 0 }
        }
    }

    // MARK: - Relay counts

    /// `num_relays_trusted`, `num_relays_untrusted`, `num_relays_unparseable` and the
    /// untrusted relays, as `Message::Metadata::Received::parse_received_headers` counts them:
    /// Received headers (top down) plus the synthetic `from X-Originating-IP: ip` relays of
    /// the stock `originating_ip_headers`, appended after them.
    struct Counts: Sendable {
        var trusted = 0
        var untrusted = 0
        var unparseable = 0
    }

    /// The stock `originating_ip_headers` (10_default_prefs.cf).
    static let originatingIPHeaders = ["X-Yahoo-Post-IP", "X-Originating-IP", "X-Apparently-From", "X-SenderIP", "X-AOL-IP",
                                       "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp"]

    private static let fromStart = S.regex("^\\(?from ", [.caseless])
    private static let localhost = #"(?:localhost(?:\.localdomain)?|localhost6(?:\.localdomain6)?|127\.0\.0\.1|::1|\[127\.0\.0\.1\]|\[::1\]|\[IPv6:::1\])"#
    /// Received.pm's "STUFF TO IGNORE" after `s/^from //` (header forms with no useful address).
    private static let ignored: [PCRERegex] = [
        "^\\S+ \\([^\\s\\@]+\\@\(localhost)\\) by \\S+ \\(",
        "^\\S+ \\S+ by \\S+ with local-e?smtp ",
        "^\\S+\\@\\S+ by \\S+ ",
        "^Unknown\\/Local \\(",
        "^\(localhost) \\((?:\\S+\\@)?\(localhost)[\\)\\[]",
        "^\\S+ \\((?:\\S+\\@)?\(localhost)\\) ",
        "^\\S+ \\(\\S+\\@\\S+ \\[\(localhost)\\]\\) ",
        "^\\(AUTH: \\S+\\) by \\S+ with ",
        "^[^\\.]+ by \\S+ with Novell_GroupWise",
        "^no\\.name\\.available by \\S+ via smtpd \\(for ",
        "^\\S+ by \\S+ with local",
        "^\\S+ by \\S+ (?:with|via|for|\\()",
        "^\\S+ (?:(?:with|via|for) \\S+|\\(unverified\\)) by\\b",
        "^\\S+ \\(unknown\\) by \\S+ \\(SG\\) with \\b",
        "^\\S+ \\(\\S+ \\[local\\]\\) by \\S+ \\(OpenSMTPD\\) with \\b",
        "\\(LSMTP for",
        "^\\S+ id \\S+$",
        "^\\S+\\@localhost\\) by \\S+ ",
        "^mail pickup service by (\\S+) with Microsoft SMTPSVC$",
        "^\\S+ \\(\\S+\\) by \\S+ \\(Content Technologies ",
        "^localhost \\(localhost \\[\\[UNIX: localhost\\]\\]\\) by ",
    ].map { S.regex($0) }
    private static let bareFromBy = S.regex("^from (\\S+) by [^\\s;]+ ?;", [.caseless])
    private static let date = S.regex(
        "[\\s;]+(?:(?:Mon|T(?:ue|hu)|Wed|Fri|S(?:at|un)), )?\\d+ (?:J(?:an|u[nl])|Feb|Ma[ry]|A(?:pr|ug)|Sep|Oct|Nov|Dec) \\d+ \\d+:\\d+(?::\\d+)? \\S+$")
    private static let ipv6Literal = S.regex("\\[(?:IPv6:)?([0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]{2,})\\]")
    private static let authProtocol = S.regex(" with ((?:ES|L|UTF8S|UTF8L)MTPS?A|ASMTP|HTTP[SU]?)(?: |;|$)", [.caseless])
    private static let byWord = S.regex("\\bby\\s+\\S", [.caseless])
    private static let ipv4 = S.regex("(?<![\\d.])(\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})(?![\\d.])")
    private static let ipv6 = S.regex("(?<![0-9A-Fa-f:])((?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,6}:[0-9A-Fa-f:]*)")

    /// One Received line: ignored (nil relay, not unparseable), unparseable, or a relay
    /// (ip, private, authenticated).
    enum Line { case ignored, unparseable, fetchmail, relay(private: Bool) }

    static func classify(_ rawLine: [UInt8]) -> Line {
        classify(rawLine, parsed: SARelays.parse(S.text(rawLine)))
    }

    /// `classify` with the line's `SARelays.parse` result already at hand.
    static func classify(_ rawLine: [UInt8], parsed: SARelay?) -> Line {
        // An ASCII line is its own text: its bytes are searched, no String round trip.
        let nonASCIIText = rawLine.allSatisfy { $0 < 0x80 } ? nil : S.text(rawLine)
        let fetchmail = nonASCIIText.map { $0.contains("(fetchmail-") } ?? (SARelays.asciiFind(rawLine, "(fetchmail-") != nil)
        if fetchmail { return .fetchmail }
        if let relay = parsed {
            let authenticated = !relay.auth.isEmpty || isAuthenticatedHop(nonASCIIText.map { Array($0.utf8) } ?? rawLine)
            return .relay(private: relay.isPrivate || authenticated)
        }
        let text = nonASCIIText ?? S.text(rawLine)
        var squeezed = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
        let bytes = Array(squeezed.utf8)
        guard S.matches(fromStart, bytes) else { return .ignored }
        if SARelays.isIgnoredHandover(squeezed) || squeezed.contains("with local for") { return .ignored }
        if let caps = S.captures(bareFromBy, bytes), let first = caps[1],
           !(first.first == 0x5B && first.last == 0x5D && first.dropFirst().dropLast().allSatisfy({ $0 == 0x2E || (0x30...0x39).contains($0) })) {
            return .ignored
        }
        squeezed = S.text(S.replaceAll(date, in: bytes, with: []))
        var rest = Substring(squeezed)
        if rest.lowercased().hasPrefix("(from ") { rest = rest.dropFirst(6) } else { rest = rest.dropFirst(5) }
        let restBytes = Array(rest.utf8)
        if ignored.contains(where: { S.matches($0, restBytes) }) { return .ignored }
        // An IPv6 literal with a "by" host: Received.pm's fall-through finds ip and by.
        if let caps = S.captures(ipv6Literal, restBytes), caps.count > 1, let ip = caps[1], S.matches(byWord, restBytes) {
            return .relay(private: isPrivateIPv6(S.text(ip)) || restBytes.contains(0x40) && S.text(restBytes).contains("ESMTPSA"))
        }
        return .unparseable
    }

    /// Received.pm also takes any "by … with ESMTPA/ASMTP/HTTP…" hop as authenticated.
    static func isAuthenticatedHop(_ line: [UInt8]) -> Bool {
        S.matches(byWord, line) && S.matches(authProtocol, line)
    }

    static func isPrivateIPv6(_ ip: String) -> Bool {
        let l = ip.lowercased()
        return l == "::1" || l.hasPrefix("fe8") || l.hasPrefix("fe9") || l.hasPrefix("fea") || l.hasPrefix("feb")
            || l.hasPrefix("fc") || l.hasPrefix("fd") || l.hasPrefix("::ffff:10.") || l.hasPrefix("::ffff:192.168.")
    }

    static func counts(_ input: EvalInput) -> Counts? {
        guard let message = input.message else { return nil }
        return counts(message)
    }

    private static let countsKey = SAMemoKey<Counts>()

    static func counts(_ message: SAMessage) -> Counts {
        message.memoized(countsKey) { computeCounts(message) }
    }

    private static func computeCounts(_ message: SAMessage) -> Counts {
        var c = Counts()
        var inTrusted = true
        var allowMailfetchMarkers = false
        var lines = message.headerStore.decoded("Received")
        let parsed = message.relays.parsedReceived
        let receivedCount = lines.count
        for header in originatingIPHeaders {
            guard let value = message.headerStore.decoded(header).first else { continue }
            if let caps = S.captures(ipv4, value), let ip = caps[1] {
                lines.append(Array("from X-Originating-IP: \(S.text(ip))\n".utf8))
            } else if let caps = S.captures(ipv6, value), let ip = caps[1] {
                lines.append(Array("from X-Originating-IP: \(S.text(ip))\n".utf8))
            }
        }
        for (index, line) in lines.enumerated() {
            var kind: Line
            // (The bytes must start so for the text to: most lines need no String.)
            if line.starts(with: "from X-Originating-IP: ".utf8), case let text = S.text(line),
               text.hasPrefix("from X-Originating-IP: ") {
                let ip = String(text.dropFirst(23)).trimmingCharacters(in: .whitespacesAndNewlines)
                kind = .relay(private: ip.contains(":") ? isPrivateIPv6(ip) : SARelays.isPrivate(ip))
            } else if index < receivedCount && parsed.count == receivedCount {
                kind = classify(line, parsed: parsed[index])
            } else {
                kind = classify(line)
            }
            switch kind {
            case .ignored: continue
            case .unparseable: c.unparseable += 1
            case .fetchmail:
                if allowMailfetchMarkers { c.trusted = 0 }
            case .relay(let trustedHop):
                if inTrusted && !trustedHop { inTrusted = false }
                if inTrusted { c.trusted += 1; allowMailfetchMarkers = true } else { c.untrusted += 1; allowMailfetchMarkers = false }
            }
        }
        return c
    }

    // MARK: - Relay field checks

    static func untrusted(_ input: EvalInput) -> [SARelay] {
        input.message?.relays.untrusted ?? []
    }

    /// `IS_IPV4_ADDRESS`: four dot-separated decimal octets (one to three ASCII digits),
    /// each ≤ 255.
    static func isIPv4(_ s: String) -> Bool { IPAddressText.ipv4Number(s) != nil }

    static func heloIPMismatch(_ input: EvalInput) -> Bool {
        for relay in untrusted(input) {
            guard isIPv4(relay.helo), !SARelays.isPrivate(relay.helo) else { continue }
            guard isIPv4(relay.ip), !SARelays.isPrivate(relay.ip), relay.helo != relay.ip else { continue }
            let p = relay.helo.split(separator: ".")
            let prefix = p[0..<3].joined(separator: ".") + "."
            if !relay.ip.hasPrefix(prefix) { return true }
        }
        return false
    }

    private static let dotcomHelo = S.regex(
        "(?:\\.|^)(lycos\\.com|lycos\\.co\\.uk|hotmail\\.com|localhost\\.com|excite\\.com|caramail\\.com|cs\\.com|aol\\.com|msn\\.com|yahoo\\.com|drizzle\\.com)$",
        [.caseless])

    private static let ip4 = "\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}"
    /// Received.pm's forms for which `$mta_looked_up_dns = 1` (the MTA always resolves the
    /// client, so an empty rDNS means the host really has none), matched after `from `.
    private static let lookedUpDNS: [PCRERegex] = [
        "^\\S+ \\(\\S+ \\[\(ip4)\\]\\) by \\S+ .*\\(Postfix\\) with",
        "^\\S+ \\(\\S+\\[\(ip4)\\]\\) by \\S+ ",
        "^\\S+ \\(\\S+ \\[\(ip4)\\].*\\) by \\S+ \\(",
        "^\\S+ \\(\\S*\\@\\[\(ip4)\\].*\\) by \\S+ \\(",
        "^\\S+ \\(\\[\(ip4)\\]\\) by \\S+ \\(",
        "^\\S+ \\(\\[\(ip4)(?:[.:]\\d+)?\\]\\).*? by \\S+ ",
        "^\\S+ \\((?:HELO|EHLO) [^\\)]*\\) \\((\\S*@)?\\[?\(ip4)\\]?\\).* by \\S+ ",
        "^\\S+ \\((\\S*@)?\\[?\(ip4)\\]?\\).* by \\S+ ",
        "^\\S+ \\[\(ip4)\\] by \\S+ \\[\(ip4)\\] with ",
        "^\\S+\\(\(ip4)(?:, (?:HELO|EHLO) \\S*)?\\) by \\S+ via smap ",
    ].map { S.regex($0) }

    private static let qmailSMTP = S.regex(
        "^\\S+( \\((?:HELO|EHLO) \\S*\\))? \\((\\S+\\@)?\\[?\(ip4)\\]?\\)( \\(envelope-sender <\\S+>\\))? by \\S+( \\(.+\\))* with (.* )?(SMTP|QMQP)(?! id )")

    private static let notLookedUp = S.regex(
        "^\\S* \\(\\[\(ip4)\\][^\\)]{0,40}\\) by \\S+ with Microsoft SMTPSVC| \\(Lotus Domino ")

    /// Whether the MTA that wrote this Received line (decoded, unfolded) is known to look
    /// up the client's rDNS, so that an empty rDNS means the host has none.
    static func mtaLookedUpDNS(_ text: String) -> Bool {
        var squeezed = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
        if squeezed.lowercased().hasPrefix("from ") { squeezed = String(squeezed.dropFirst(5)) }
        let bytes = S.replaceAll(date, in: Array(squeezed.utf8), with: [])
        if S.matches(qmailSMTP, bytes) || S.matches(notLookedUp, bytes) {
            // qmail: an rDNS other than "unknown" is kept (so the relay has one), and
            // "unknown" means no lookup; Microsoft SMTPSVC and Lotus Domino never record it.
            return false
        }
        return lookedUpDNS.contains { S.matches($0, bytes) }
    }

    private static let noRDNSDotcomHeloKey = SAMemoKey<Bool>()

    /// `_check_received_helos`: the flag is the last untrusted public relay's verdict
    /// (dotcom HELO with `no_reverse_dns`). Trust is inferred as Received.pm does here
    /// (private or authenticated hops are trusted); only the deciding relay's line is
    /// examined for an rDNS lookup, and only when its HELO and rDNS could make it hit.
    static func checkForNoRDNSDotcomHelo(_ input: EvalInput) -> Bool {
        guard let message = input.message else { return false }
        return message.memoized(noRDNSDotcomHeloKey) {
            let lines = message.headerStore.decoded("Received")
            let parsed = message.relays.parsedReceived
            var inTrusted = true
            var last: (relay: SARelay, line: Int)?
            for index in lines.indices {
                let parsedLine = parsed.count == lines.count ? parsed[index] : SARelays.parse(S.text(lines[index]))
                guard let relay = parsedLine else { continue }
                if inTrusted && !(relay.isPrivate || !relay.auth.isEmpty) { inTrusted = false }
                if !inTrusted && !relay.isPrivate { last = (relay, index) }
            }
            guard let last, last.relay.rdns.isEmpty, S.matches(dotcomHelo, Array(last.relay.helo.utf8)) else { return false }
            return mtaLookedUpDNS(S.text(lines[last.line]))
        }
    }

    // MARK: - Forged Received trail

    /// RelayEval's `hostname_to_domain` (undef for undef only; "" stays ""). ASCII names,
    /// nearly all, are split as bytes; others keep the Character-based form below.
    static func hostnameToDomain(_ host: String) -> String? {
        guard SARelays.isASCII(host) else { return hostnameToDomainCharacters(host) }
        let b = Array(host.utf8)
        guard b.contains(where: { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) else { return host }
        var p = b.split(separator: 0x2E, omittingEmptySubsequences: false)
        while let l = p.last, l.isEmpty { p.removeLast() }
        // The last n labels, dots between them included, are one run of the name.
        func lastLabels(_ n: Int) -> String { String(decoding: b[p[p.count - n].startIndex..<p[p.count - 1].endIndex], as: UTF8.self) }
        func has(_ label: ArraySlice<UInt8>, _ pair: (UInt8, UInt8)) -> Bool {
            zip(label, label.dropFirst()).contains { $0 == pair.0 && $1 == pair.1 }
        }
        if p.count > 1, let last = p.last, last.count >= 3 && !last.contains(where: { $0 == 0x20 || $0 == 0x09 })
            || has(last, (0x69, 0x65)) || has(last, (0x66, 0x72)) || has(last, (0x64, 0x65)) {
            return lastLabels(2)
        } else if p.count > 2 {
            return lastLabels(3)
        }
        return host
    }

    static func hostnameToDomainCharacters(_ host: String) -> String? {
        if !host.contains(where: { $0.isASCII && $0.isLetter }) { return host }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        // split drops trailing empty fields
        var p = parts
        while let l = p.last, l.isEmpty { p.removeLast() }
        if p.count > 1, let last = p.last, last.count >= 3 && !last.contains(where: { $0 == " " || $0 == "\t" })
            || last.contains("ie") || last.contains("fr") || last.contains("de") {
            return p[(p.count - 2)...].joined(separator: ".")
        } else if p.count > 2 {
            return p[(p.count - 3)...].joined(separator: ".")
        }
        return host
    }

    /// `/^\w+(?:[\w.-]+\.)+\w+$/` by hand: word characters, dots and hyphens, starting with
    /// a word character, whose last dot is at offset 2 or later and followed by word
    /// characters only (`$` may also match before a final newline).
    static func hasDomainShape(_ name: String) -> Bool {
        var b = Array(name.utf8)
        if b.last == 0x0A { b.removeLast() }
        guard let first = b.first, S.isWordByte(first), let dot = b.lastIndex(of: 0x2E), dot >= 2, dot + 1 < b.count
        else { return false }
        return b[(dot + 1)...].allSatisfy(S.isWordByte) && b.allSatisfy { S.isWordByte($0) || $0 == 0x2E || $0 == 0x2D }
    }

    private struct ForgedCounts: Sendable { var mismatchFrom: Int; var mismatchIPHelo: Int }

    private static let forgedReceivedKey = SAMemoKey<ForgedCounts>()

    static func forgedReceived(_ input: EvalInput) -> (mismatchFrom: Int, mismatchIPHelo: Int) {
        guard let message = input.message else { return computeForgedReceived([]) }
        let r = message.memoized(forgedReceivedKey) {
            let c = computeForgedReceived(message.relays.untrusted)
            return ForgedCounts(mismatchFrom: c.mismatchFrom, mismatchIPHelo: c.mismatchIPHelo)
        }
        return (r.mismatchFrom, r.mismatchIPHelo)
    }

    /// Received.pm's `^localhost(?:\.localdomain)?$` (ICU `$` also matches before a final line terminator).
    static func isLocalhostName(_ f: String) -> Bool {
        var s = Substring(f)
        if s.hasSuffix("\r\n") { s = s.dropLast() } // "\r\n" is one Character
        else if let l = s.unicodeScalars.last, ["\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}"].contains(l) {
            s = Substring(s.unicodeScalars.dropLast())
        }
        return s == "localhost" || s == "localhost.localdomain"
    }

    static func computeForgedReceived(_ relays: [SARelay]) -> (mismatchFrom: Int, mismatchIPHelo: Int) {
        var mismatchFrom = 0, mismatchIPHelo = 0
        let by = relays.map { hostnameToDomain($0.by.lowercased()) }
        var from = relays.map { hostnameToDomain($0.rdns.lowercased()) }
        let helo = relays.map { hostnameToDomain($0.helo.lowercased()) }
        for i in relays.indices {
            guard let b = by[i], hasDomainShape(b) else { continue }
            if let f = from[i], isLocalhostName(f),
               relays[i].ip == "127.0.0.1" { from[i] = nil }
            let fip = relays[i].ip
            if let h = helo[i], isIPv4(h), isIPv4(fip), fip != h {
                let hb = h.split(separator: ".").prefix(2).joined(separator: ".")
                let fb = fip.split(separator: ".").prefix(2).joined(separator: ".")
                if hb != fb && !SARelays.isPrivate(h) { mismatchIPHelo += 1 }
            }
            if i > 0, let prev = from[i - 1], hasDomainShape(prev), b != prev,
               !heloForgeryWelcomelisted(b, prev) {
                mismatchFrom += 1
            }
        }
        return (mismatchFrom, mismatchIPHelo)
    }

    static func heloForgeryWelcomelisted(_ helo: String, _ rdns: String) -> Bool {
        helo == "msn.com" && rdns == "hotmail.com"
    }
}

extension EvalRegistry {
    /// RelayEval's functions.
    public mutating func registerRelayEvals(config: RuleConfiguration) {
        RelayEvals.register(into: &self)
    }
}
