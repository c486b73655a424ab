import Foundation

/// SpamAssassin's own rule files, found where SpamAssassin finds them, so a site that has
/// the `spamassassin` package gets the rules it already trusts (and `sa-update` keeps them
/// current) without naming a versioned path in the config:
///
/// 1. the default rules: sa-update's newest `/var/lib/spamassassin/<version>/` when there is
///    one (SpamAssassin prefers it to the packaged rules), else `/usr/share/spamassassin`;
/// 2. the site rules: `/etc/spamassassin` (`local.cf` and the other `.cf` files).
///
/// They are loaded before `[spam] rules`, so Moat's rules and local score lines come after
/// and win, as later files do in SpamAssassin.
public struct SpamAssassinRules: Sendable, Equatable {
    /// `[spam] spamassassin_rules`.
    public enum Use: String, Sendable, CaseIterable {
        /// Load them when the package is installed; without it, start with a warning.
        case auto
        /// Load them; start-up stops when they are missing.
        case required
        /// Never load them.
        case off
    }

    /// Where to look; the system's places unless a test says otherwise.
    public struct Places: Sendable, Equatable {
        public var updates = "/var/lib/spamassassin"
        public var packaged = "/usr/share/spamassassin"
        public var site = "/etc/spamassassin"

        public init() {}
    }

    /// The rule directories found, default rules first; empty without SpamAssassin.
    public let directories: [String]

    public init(_ places: Places = Places()) {
        var found: [String] = []
        if let updated = Self.newestUpdate(in: places.updates) {
            found.append(updated)
        } else if Self.holdsRules(places.packaged) {
            found.append(places.packaged)
        }
        // Site rules tune the default ones: without default rules there is nothing to tune.
        if !found.isEmpty, Self.holdsRules(places.site) { found.append(places.site) }
        directories = found
    }

    /// sa-update writes `<updates>/<version>/`, `version` as SpamAssassin numbers itself
    /// (`4.000001`); the highest version that holds rules.
    static func newestUpdate(in updates: String) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: updates)) ?? []
        return names.compactMap { name in Double(name).map { (version: $0, path: "\(updates)/\(name)") } }
            .sorted { $0.version > $1.version }
            .first { holdsRules($0.path) }?.path
    }

    static func holdsRules(_ directory: String) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.contains { $0.hasSuffix(".cf") }
    }
}
