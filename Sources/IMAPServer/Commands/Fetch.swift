import IMAP
import Mailstore

extension IMAPSession {
    static let fetchExtensions = ["BINARY"]

    /// FETCH and UID FETCH (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162 CHANGEDSINCE and
    /// VANISHED). Index data comes from the index; ENVELOPE and BODYSTRUCTURE from its cache
    /// when there; the file is read only for what needs it, once per message. A body section
    /// fetched without .PEEK sets \Seen, and the new FLAGS come back with it.
    func fetchCommand(_ tag: Tag, _ fetch: FetchCommand) async -> Next {
        guard let selected else { return .goOn }
        guard let resolved = selected.resolve(fetch.set, byUID: fetch.byUID) else {
            bad(tag, "Error in IMAP command \(fetch.byUID ? "UID " : "")FETCH: Invalid messageset")
            return .goOn
        }
        var changedSince: UInt64?
        var vanished = false
        for modifier in fetch.modifiers {
            switch modifier {
            case .changedSince(let value): changedSince = value
            case .vanished:
                guard fetch.byUID, qresync else {
                    bad(tag, "VANISHED needs UID FETCH with QRESYNC enabled")
                    return .goOn
                }
                vanished = true
            }
        }
        if vanished && changedSince == nil {
            bad(tag, "VANISHED needs CHANGEDSINCE")
            return .goOn
        }
        var attributes = fetch.attributes
        if fetch.byUID && !attributes.contains(.uid) { attributes.insert(.uid, at: 0) }
        if changedSince != nil || attributes.contains(.modSeq) {
            await enableCondStore()
            if !attributes.contains(.modSeq) { attributes.append(.modSeq) }
        }
        let marksSeen = !selected.isReadOnly && attributes.contains { attribute in
            switch attribute {
            case .rfc822, .rfc822Text: true
            case .bodySection(_, _, let peek), .binary(_, _, let peek): !peek
            default: false
            }
        }
        if vanished, let modSeq = changedSince {
            let asked = Set(resolved.map(\.uid))
            if let gone = try? await blocking({ try selected.mailbox.expunged(since: modSeq) }) {
                let reported = gone.filter { uid in
                    if case .ranges(let ranges) = fetch.set { return ranges.contains { $0.resolved(largest: UInt32.max).contains(uid) } }
                    return asked.contains(uid)
                }
                if !reported.isEmpty { send(.vanished(earlier: true, NumberSet(reported))) }
            }
        }
        let fetchAttributes = attributes
        let since = changedSince
        let recent = rev1 ? selected.recent : []
        var outcome = FetchResult()
        var start = 0
        // In batches of about 4 MiB of message data, each sent before the next is read: a
        // FETCH of a whole large mailbox never sits in memory at once.
        while start < resolved.count {
            let from = start
            let batch: (FetchResult, next: Int)
            do {
                batch = try await blocking {
                    try FetchRun.run(selected.mailbox, resolved, fetchAttributes, changedSince: since,
                                     marksSeen: marksSeen, recent: recent, from: from)
                }
            } catch {
                failed(tag, "FETCH", error)
                return .goOn
            }
            for (number, data) in batch.0.responses {
                send(.fetch(number, data))
                await flushIfLarge()
            }
            outcome.missing = outcome.missing || batch.0.missing
            outcome.binaryError = outcome.binaryError ?? batch.0.binaryError
            start = batch.next
        }
        let result = outcome
        await sendUpdates(expungeAllowed: fetch.byUID)
        if let error = result.binaryError {
            no(tag, error.responseText, code: error.responseCode)
        } else if result.missing {
            no(tag, "Some messages were expunged.", code: .expungeIssued)
        } else {
            ok(tag, "Fetch completed.")
        }
        return .goOn
    }
}

/// What one FETCH produced.
struct FetchResult: Sendable {
    var responses: [(UInt32, [MessageAttribute])] = []
    /// A message another session expunged was asked for.
    var missing = false
    /// BINARY met an encoding it cannot undo, or data it cannot decode.
    var binaryError: BinaryFetchError?
}

/// FETCH's work on the blocking pool: one pass over the messages, each file read at most once.
enum FetchRun {
    static func run(_ mailbox: IndexedMailbox, _ wanted: [(sequence: UInt32, uid: MessageUID)], _ attributes: [FetchAttribute],
                    changedSince: UInt64?, marksSeen: Bool, recent: Set<MessageUID>, from start: Int = 0,
                    budget: Int = 4 << 20) throws -> (FetchResult, next: Int) {
        func flags(_ message: IndexedMessage) -> [Flag] {
            IMAPFlags.wire(message.flags, keywords: message.keywords) + (recent.contains(message.uid) ? [.recent] : [])
        }
        var result = FetchResult()
        // Looked up by binary search: a FETCH of a few messages in a big mailbox costs a few.
        let snapshot = mailbox.snapshot
        // The batch: messages from `start` until their stored sizes pass the budget (at least one).
        var end = start
        var planned = 0
        while end < wanted.count && (end == start || planned < budget) {
            planned += Int(snapshot.message(uid: wanted[end].uid)?.size ?? 0)
            end += 1
        }
        let batch = wanted[start..<end]
        var seenNow: [MessageUID: IndexedMessage] = [:]
        if marksSeen {
            let unseen = batch.map(\.uid).filter { snapshot.message(uid: $0).map { !$0.flags.contains(.seen) } ?? false }
            if !unseen.isEmpty {
                for message in try mailbox.store(FlagChange(.add, flags: .seen), uids: unseen).changed {
                    seenNow[message.uid] = message
                }
            }
        }
        let needsCache = attributes.contains { $0 == .envelope || $0 == .body || $0 == .bodyStructure }
        let needsContent = attributes.contains { attribute in
            switch attribute {
            case .rfc822, .rfc822Header, .rfc822Text, .bodySection, .binary, .binarySize: true
            default: false
            }
        }
        for (number, uid) in batch {
            guard var message = snapshot.message(uid: uid) else {
                result.missing = true
                continue
            }
            if let changedSince, message.modSeq <= changedSince { continue }
            if let updated = seenNow[uid] { message = updated }
            var sections: MessageSections?
            func content() throws -> MessageSections {
                if let sections { return sections }
                let parsed = MessageSections(try mailbox.message(uid: uid))
                sections = parsed
                return parsed
            }
            var cached = CachedMessageParts()
            if needsCache { cached = (try? mailbox.cachedParts(uid: uid)) ?? CachedMessageParts() }
            var envelope = cached.envelope.flatMap { try? FetchCache.decodeEnvelope($0) }
            var structure = cached.bodyStructure.flatMap { try? FetchCache.decodeBodyStructure($0) }
            var data: [MessageAttribute] = []
            do {
                if needsContent { _ = try content() }
                if needsCache && (envelope == nil || structure == nil) {
                    let parsed = try content()
                    envelope = parsed.envelope
                    structure = parsed.bodyStructure(extensible: true)
                    try? mailbox.setCachedParts(FetchCache.entry(for: parsed), uid: uid)
                }
                for attribute in attributes {
                    switch attribute {
                    case .uid: data.append(.uid(uid))
                    case .flags: data.append(.flags(flags(message)))
                    case .internalDate: data.append(.internalDate(IMAPTime.dateTime(message.internalDate)))
                    case .rfc822Size: data.append(.rfc822Size(UInt64(message.size)))
                    case .modSeq: data.append(.modSeq(message.modSeq))
                    case .envelope: if let envelope { data.append(.envelope(envelope)) }
                    case .bodyStructure: if let structure { data.append(.bodyStructure(structure)) }
                    case .body: if let structure { data.append(.body(structure.withoutExtensionData)) }
                    case .rfc822: data.append(.rfc822(try content().rfc822))
                    case .rfc822Header: data.append(.rfc822Header(try content().header))
                    case .rfc822Text: data.append(.rfc822Text(try content().text))
                    case .bodySection(let specifier, let partial, _):
                        let bytes = try content().section(specifier)
                        data.append(.bodySection(specifier, origin: partial?.offset, data: partial.map { $0.slice(bytes) } ?? bytes))
                    case .binary(let part, let partial, _):
                        let bytes = try content().binary(part: part)
                        data.append(.binary(part: part, origin: partial?.offset, data: partial.map { $0.slice(bytes) } ?? bytes))
                    case .binarySize(let part):
                        data.append(.binarySize(part: part, size: try content().binarySize(part: part)))
                    }
                }
            } catch let error as BinaryFetchError {
                result.binaryError = error
                continue
            } catch MailboxError.noSuchMessage {
                result.missing = true
                continue
            }
            if seenNow[uid] != nil && !attributes.contains(.flags) {
                data.append(.flags(flags(message)))
            }
            result.responses.append((number, data))
        }
        return (result, end)
    }
}
