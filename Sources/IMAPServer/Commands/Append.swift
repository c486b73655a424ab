import IMAP
import Mailstore

/// An APPEND being received (MULTIAPPEND, RFC 3502: all its messages are saved, or none).
struct AppendInProgress {
    let tag: Tag
    let mailbox: String
    /// The mailbox does not exist or cannot be written: the messages are read and dropped.
    var refusal: ResponseText?
    var messages: [(start: AppendMessageStart, bytes: [UInt8])] = []
    var current: (start: AppendMessageStart, bytes: [UInt8])?
    /// Bytes held for this APPEND so far: all its messages together stay within APPENDLIMIT,
    /// and they are what it took from the process's message memory budget.
    var held = 0
}

extension IMAPSession {
    /// APPEND began: checks the mailbox before the client sends the message, so a missing one
    /// is `NO [TRYCREATE]` without transferring it (RFC 9051 §6.3.12).
    public func appendStarted(tag: Tag, mailbox name: MailboxName) async {
        releaseAppendMemory()
        guard state == .authenticated || state == .selected, let mailboxes else {
            append = AppendInProgress(tag: tag, mailbox: "", refusal: ResponseText("Error in IMAP command APPEND: Not logged in."))
            return
        }
        guard let storeName = WireMailboxName.storeName(name) else {
            append = AppendInProgress(tag: tag, mailbox: "", refusal: ResponseText(code: .cannot, "Mailbox name is not valid mUTF-7."))
            return
        }
        var refusal: ResponseText?
        do {
            guard !isQuarantine(storeName) else { throw MailboxError.notAllowed(Self.quarantineIsReadOnly) }
            _ = try await blocking { try mailboxes.status(storeName) }
        } catch MailboxError.noSuchMailbox {
            refusal = ResponseText(code: .tryCreate, "Mailbox doesn't exist: \(storeName)")
        } catch {
            refusal = StorageErrorResponse.text(for: error)
        }
        append = AppendInProgress(tag: tag, mailbox: storeName, refusal: refusal)
    }

    /// Whether a message of `size` bytes may be sent: the literal is refused with
    /// `NO [TOOBIG]` past APPENDLIMIT, or when the APPEND is refused already.
    public func appendLiteralAllowed(size: Int) -> Bool {
        guard let append else { return size <= settings.appendLimit }
        return append.refusal == nil && size <= settings.appendLimit
    }

    /// The reply to a refused APPEND literal.
    public func refuseAppendLiteral(tag: Tag, size: Int) {
        releaseAppendMemory()
        if let refusal = append?.refusal {
            tagged(tag, state == .notAuthenticated ? .bad : .no, refusal)
        } else {
            no(tag, "Message is larger than APPENDLIMIT (\(settings.appendLimit) bytes).", code: .tooBig)
        }
        append = nil
    }

    public func appendMessageStarted(_ start: AppendMessageStart) {
        guard var append, append.refusal == nil else { return }
        // MULTIAPPEND's messages together, not each, are held to APPENDLIMIT: a client may
        // not make the server hold n times the limit (LITERAL+ needs no consent per message).
        if append.held + start.size > settings.appendLimit {
            append.refusal = ResponseText(code: .tooBig, "Messages of one APPEND exceed APPENDLIMIT (\(settings.appendLimit) bytes).")
            append.messages.removeAll()
            memory?.release(append.held)
            append.held = 0
        } else if let memory, !memory.reserve(start.size) {
            // All sessions' mail in memory is at `[limits] message_memory`: try later, as SMTP's 451 4.3.1.
            append.refusal = ResponseText(code: .unavailable, "Insufficient system resources, try again later.")
            append.messages.removeAll()
            memory.release(append.held)
            append.held = 0
            logger.warning("imap(\(user?.address ?? "?")): APPEND of \(start.size) bytes refused: message memory budget spent")
        } else {
            append.held += start.size
            append.current = (start, [])
        }
        self.append = append
    }

    /// The next bytes of the message; dropped when the APPEND is refused (not logged in, no
    /// such mailbox, too big), so a refused APPEND costs no memory.
    public func appendMessageBytes(_ bytes: [UInt8]) {
        guard append?.refusal == nil, append?.current != nil else { return }
        append?.current?.bytes.append(contentsOf: bytes)
    }

    public func appendMessageFinished() {
        guard append?.refusal == nil, let current = append?.current else { return }
        append?.messages.append(current)
        append?.current = nil
    }

    /// Gives back what the APPEND in progress took from the memory budget (it was refused,
    /// or the connection went away in the middle of it).
    func releaseAppendMemory() {
        guard let held = append?.held, held > 0 else { return }
        memory?.release(held)
        append?.held = 0
    }

    /// The APPEND is complete: saves its messages, durable before the reply, and says
    /// APPENDUID (RFC 4315).
    public func appendFinished() async {
        guard let append else { return }
        defer { memory?.release(append.held) }
        self.append = nil
        if let refusal = append.refusal {
            tagged(append.tag, state == .notAuthenticated ? .bad : .no, refusal)
            return
        }
        guard let mailboxes else { return }
        var prepared: [(bytes: [UInt8], flags: MessageFlags, keywords: [String], date: Double?)] = []
        for message in append.messages {
            switch IMAPFlags.store(message.start.flags) {
            case .success(let (flags, keywords)):
                // A literal8 (RFC 3516 §4.4) may hold binary parts: stored base64-encoded, as
                // Dovecot stores them, so every reader of the Maildir gets a valid message.
                let bytes = message.start.isBinary ? BinaryAppendConversion.toBase64(message.bytes) : message.bytes
                prepared.append((bytes, flags, keywords, message.start.internalDate.map(IMAPTime.unixTime)))
            case .failure(let unsettable):
                bad(append.tag, "Error in IMAP command APPEND: Invalid system flag \(unsettable.flag.wire)")
                return
            }
            if message.bytes.isEmpty {
                no(append.tag, "Can't save a zero byte message.")
                return
            }
        }
        let name = append.mailbox
        let toSave = prepared
        do {
            let (uids, uidValidity) = try await blocking { () throws -> ([MessageUID], UInt32) in
                let mailbox = try mailboxes.open(name)
                var uids: [MessageUID] = []
                do {
                    for message in toSave {
                        uids.append(try mailbox.append(message.bytes, flags: message.flags, keywords: message.keywords,
                                                       internalDate: message.date))
                    }
                } catch {
                    // MULTIAPPEND is all or nothing (RFC 3502 §6.3.11): take back what was saved.
                    if !uids.isEmpty {
                        _ = try? mailbox.store(FlagChange(.add, flags: .deleted), uids: uids)
                        _ = try? mailbox.expunge(uids: uids)
                    }
                    throw error
                }
                return (uids, mailbox.snapshot.uidValidity)
            }
            teach(JunkLesson.of(from: nil, to: name), toSave.map(\.bytes), command: "APPEND", target: name)
            await sendUpdates()
            ok(append.tag, "Append completed.", code: .appendUID(uidValidity: uidValidity, uids: NumberSet(uids)))
        } catch {
            failed(append.tag, "APPEND", error)
        }
    }
}
