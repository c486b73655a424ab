import IMAP
import Mailstore

extension IMAPSession {
    /// LIST (RFC 9051 §6.3.9) with LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819) and
    /// SPECIAL-USE (RFC 6154); children and special-use attributes always, as Dovecot.
    func listCommand(_ tag: Tag, _ list: ListCommand) async -> Next {
        guard let mailboxes else { return .goOn }
        if list.patterns.count == 1, list.patterns[0].isEmpty, list.selectionOptions.isEmpty {
            // The hierarchy separator and the root (RFC 9051 §6.3.9: an empty pattern).
            send(.list(ListResponse(attributes: ["\\Noselect"], delimiter: ".", mailbox: MailboxName(""))))
            ok(tag, "List completed.")
            return .goOn
        }
        // RFC 5258 §3: RECURSIVEMATCH needs a selection option other than REMOTE.
        if list.selectionOptions.contains(.recursiveMatch)
            && !list.selectionOptions.contains(where: { $0 == .subscribed || $0 == .specialUse }) {
            bad(tag, "RECURSIVEMATCH needs another selection option")
            return .goOn
        }
        let all: [MailboxInfo]
        let subscriptions: [String]
        do {
            (all, subscriptions) = try await listedMailboxes(mailboxes)
        } catch {
            failed(tag, "LIST", error)
            return .goOn
        }
        let reference = WireMailboxName.storeName(list.reference) ?? ""
        let matchers = list.patterns.compactMap { pattern -> MailboxPattern? in
            let text = String(decoding: pattern, as: UTF8.self)
            let decoded = ModifiedUTF7.decode(text) ?? text
            return MailboxPattern(reference: reference, pattern: decoded)
        }
        let subscribedOnly = list.selectionOptions.contains(.subscribed)
        let specialUseOnly = list.selectionOptions.contains(.specialUse)
        let recursive = list.selectionOptions.contains(.recursiveMatch)
        let returnSubscribed = subscribedOnly || list.returnOptions.contains(.subscribed)
        let statusAttributes = list.returnOptions.compactMap { option -> [StatusAttribute]? in
            if case .status(let attributes) = option { return attributes }
            return nil
        }.first
        let subscribed = Set(subscriptions)
        var entries: [(name: String, attributes: [String], childInfo: [String], selectable: Bool)] = []
        let byName = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var names = all.map(\.name)
        if subscribedOnly { names = Array(Set(names).union(subscribed)).sorted { $0 == "INBOX" ? true : $1 == "INBOX" ? false : $0 < $1 } }
        for name in names where matchers.contains(where: { $0.matches(name) }) {
            let info = byName[name]
            var attributes: [String] = []
            var childInfo: [String] = []
            if subscribedOnly {
                // CHILDINFO speaks for subscribed descendants the patterns do not list
                // themselves (as Dovecot; RFC 5258 §3.5's example).
                let hasSubscribedChild = subscribed.contains { child in
                    child.hasPrefix(name + ".") && !matchers.contains { $0.matches(child) }
                }
                guard subscribed.contains(name) || (recursive && hasSubscribedChild) else { continue }
                if recursive && hasSubscribedChild && !subscribed.contains(name) { childInfo = ["SUBSCRIBED"] }
            }
            if let info {
                if !info.selectable { attributes.append("\\Noselect") }
                attributes.append(info.hasChildren ? "\\HasChildren" : "\\HasNoChildren")
                if let use = info.specialUse { attributes.append(use.rawValue) }
            } else {
                attributes.append("\\NonExistent")
            }
            if specialUseOnly && info?.specialUse == nil { continue }
            if returnSubscribed && subscribed.contains(name) { attributes.append("\\Subscribed") }
            entries.append((name, attributes, childInfo, info?.selectable ?? false))
        }
        for entry in entries {
            let wire = WireMailboxName.wire(entry.name)
            send(.list(ListResponse(attributes: entry.attributes, delimiter: ".", mailbox: wire, childInfo: entry.childInfo)))
            if let statusAttributes, entry.selectable {
                if let items = try? await statusItems(entry.name, statusAttributes) { send(.status(wire, items)) }
            }
        }
        ok(tag, "List completed.")
        return .goOn
    }

    /// The user's mailboxes, the Quarantine view among them (in name order after INBOX; it
    /// stands in for a Maildir++ folder of the same name), and the subscriptions.
    private func listedMailboxes(_ mailboxes: UserMailboxes) async throws -> ([MailboxInfo], [String]) {
        let quarantine = quarantine?.name
        return try await blocking {
            var all = try mailboxes.list()
            let subscriptions = try mailboxes.subscriptions()
            if let quarantine {
                all.removeAll { $0.name == quarantine }
                let view = MailboxInfo(name: quarantine, selectable: true,
                                       hasChildren: all.contains { $0.name.hasPrefix(quarantine + ".") },
                                       subscribed: subscriptions.contains(quarantine), specialUse: nil)
                all.insert(view, at: all.firstIndex { $0.name != "INBOX" && $0.name > quarantine } ?? all.endIndex)
            }
            return (all, subscriptions)
        }
    }

    /// LSUB (RFC 3501 §6.3.9): the subscribed names matching the pattern.
    func lsub(_ tag: Tag, reference: MailboxName, pattern: [UInt8]) async -> Next {
        guard let mailboxes else { return .goOn }
        let subscriptions: [String]
        let all: [MailboxInfo]
        do {
            (all, subscriptions) = try await listedMailboxes(mailboxes)
        } catch {
            failed(tag, "LSUB", error)
            return .goOn
        }
        let text = String(decoding: pattern, as: UTF8.self)
        let matcher = MailboxPattern(reference: WireMailboxName.storeName(reference) ?? "",
                                     pattern: ModifiedUTF7.decode(text) ?? text)
        let selectable = Set(all.filter(\.selectable).map(\.name))
        var listed = Set<String>()
        for name in subscriptions.sorted() {
            if matcher.matches(name) {
                listed.insert(name)
                send(.lsub(ListResponse(attributes: selectable.contains(name) ? [] : ["\\Noselect"], delimiter: ".",
                                        mailbox: WireMailboxName.wire(name))))
            } else if let parent = matcher.matchingParent(of: name), !listed.contains(parent) {
                // `%` stops at the separator: a subscribed child shows its parent as \Noselect.
                listed.insert(parent)
                send(.lsub(ListResponse(attributes: ["\\Noselect"], delimiter: ".", mailbox: WireMailboxName.wire(parent))))
            }
        }
        ok(tag, "Lsub completed.")
        return .goOn
    }
}

/// A LIST pattern (RFC 9051 §6.3.9): reference and pattern joined, `*` matching anything,
/// `%` anything but the separator, INBOX in any case.
struct MailboxPattern {
    private let pattern: [Character]

    init(reference: String, pattern: String) {
        var full = pattern
        if !reference.isEmpty && !pattern.hasPrefix(".") { full = reference + pattern }
        if full.uppercased().hasPrefix("INBOX"), full.count == 5 || Array(full)[5] == "." {
            full = "INBOX" + full.dropFirst(5)
        }
        // Runs of `*` are one `*`; a pattern longer than any mailbox name could be is cut
        // (it could match nothing more), so one LIST costs at most 1024 × name length steps.
        var collapsed: [Character] = []
        for c in full where !(c == "*" && collapsed.last == "*") { collapsed.append(c) }
        self.pattern = Array(collapsed.prefix(1024))
    }

    func matches(_ name: String) -> Bool {
        Self.match(pattern[...], Array(name)[...])
    }

    /// The ancestor of `name` that the pattern matches, if one does (for LSUB's `%`).
    func matchingParent(of name: String) -> String? {
        var levels = name.split(separator: ".", omittingEmptySubsequences: false)
        while levels.count > 1 {
            levels.removeLast()
            let parent = levels.joined(separator: ".")
            if matches(parent) { return parent }
        }
        return nil
    }

    /// Dynamic programming over (pattern position, name position): time is the product of
    /// the two lengths whatever the wildcards, where backtracking on `*a*a*a…` is exponential.
    private static func match(_ pattern: ArraySlice<Character>, _ name: ArraySlice<Character>) -> Bool {
        let p = Array(pattern), n = Array(name)
        // matched[j]: the pattern so far matches the first j characters of the name.
        var matched = [Bool](repeating: false, count: n.count + 1)
        matched[0] = true
        for token in p {
            var next = [Bool](repeating: false, count: n.count + 1)
            switch token {
            case "*", "%":
                var reachable = false
                for j in 0...n.count {
                    if matched[j] { reachable = true }
                    // `%` does not cross the hierarchy separator.
                    if token == "%" && j > 0 && n[j - 1] == "." && !matched[j] { reachable = false }
                    next[j] = reachable
                }
            default:
                for j in 0..<n.count where matched[j] && n[j] == token { next[j + 1] = true }
            }
            matched = next
        }
        return matched[n.count]
    }
}
