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

    /// `num_relays_trusted`, `num_relays_untrusted`, `num_relays_unparseable`.
    struct Counts: Sendable {
        var trusted = 0
        var untrusted = 0
        var unparseable = 0
    }

    static func counts(_ input: EvalInput) -> Counts? {
        guard let relays = input.message?.relays else { return nil }
        return Counts(trusted: relays.trusted.count, untrusted: relays.untrusted.count, unparseable: relays.unparseableCount)
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

    /// `_check_received_helos`: each untrusted public relay resets the flag, so the last
    /// one decides (a dotcom HELO from a host the MTA found no rDNS for).
    static func checkForNoRDNSDotcomHelo(_ input: EvalInput) -> Bool {
        var flag = false
        for relay in untrusted(input) where !relay.isPrivate {
            flag = relay.noReverseDNS && S.matches(dotcomHelo, Array(relay.helo.utf8))
        }
        return flag
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
