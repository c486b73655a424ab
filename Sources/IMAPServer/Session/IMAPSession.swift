import Directory
import IMAP
import Logging
import MailAccess
import Mailstore
import MoatCore

/// One IMAP connection's session: its state, its user and selected mailbox, and what it
/// has to send. The connection loop feeds it complete commands (`execute`) and the events
/// of APPEND, IDLE and AUTHENTICATE; each command lives in its own file under `Commands/`
/// as an extension, registered in `execute`'s dispatch and `CommandRule`'s table. Storage
/// work runs on the blocking pool, never on the event loop. Used from one task at a time:
/// the IDLE watcher runs only while the connection loop waits for DONE, and the loop awaits
/// its end before it touches the session again (hence `@unchecked Sendable`).
public final class IMAPSession: @unchecked Sendable {
    /// What the connection does after a command.
    public enum Next: Sendable, Equatable {
        case goOn
        /// Flush, then put TLS under the connection and call `tlsStarted`.
        case startTLS
        /// Flush, then close.
        case close
        /// The client is in IDLE: watch the mailbox until DONE.
        case idle(Tag)
        /// AUTHENTICATE waits for the client's SASL response line.
        case authenticationResponse
    }

    let settings: SessionSettings
    let login: MailLogin
    let pool: BlockingWorkPool
    let plaintext: PlaintextAuthPolicy
    let mailRoot: String
    let tlsAvailable: Bool
    /// Learns from what the user moves into and out of Junk; nil when Bayes is off.
    let junk: (any JunkLearner)?
    /// The user's view of the quarantine as a mailbox; nil when not offered.
    let quarantine: QuarantineFolder?
    /// The process's budget for mail held in memory, shared with SMTP; nil for none.
    let memory: MessageMemoryBudget?
    var logger: Logger
    let peer: String?
    let localAddress: String?

    public internal(set) var state = SessionState.notAuthenticated
    var tlsActive: Bool
    /// The logged-in user and their mailboxes.
    public internal(set) var user: Mailbox?
    var mailboxes: UserMailboxes?
    var selected: SelectedMailbox?
    /// Extensions the client turned on with ENABLE (or that a command implied).
    var enabled: Set<String> = []
    var authFailures = 0
    var badCommands = 0
    /// An AUTHENTICATE waiting for its response line.
    var pendingAuthentication: Tag?
    /// The APPEND being received.
    var append: AppendInProgress?
    /// The session must end after what it has to send (its selected mailbox was deleted).
    public internal(set) var mustClose = false

    private let encoder = ResponseEncoder()
    private var output: [UInt8] = []

    public init(settings: SessionSettings, login: MailLogin, pool: BlockingWorkPool, plaintext: PlaintextAuthPolicy,
                mailRoot: String, tlsAvailable: Bool, tlsActive: Bool, peer: String?, localAddress: String?,
                junk: (any JunkLearner)? = nil, quarantine: QuarantineFolder? = nil, memory: MessageMemoryBudget? = nil,
                logger: Logger) {
        self.settings = settings
        self.login = login
        self.pool = pool
        self.plaintext = plaintext
        self.mailRoot = mailRoot
        self.tlsAvailable = tlsAvailable
        self.tlsActive = tlsActive
        self.peer = peer
        self.localAddress = localAddress
        self.junk = junk
        self.quarantine = quarantine
        self.memory = memory
        self.logger = logger
    }

    /// Hands what a move, copy or append taught to the learner (in the background).
    func teach(_ lesson: JunkLesson?, _ messages: [[UInt8]], command: String, target: String) {
        guard let lesson, let junk, let user, !messages.isEmpty else { return }
        junk.learn(messages, asSpam: lesson == .spam, user: user.address, reason: "\(command) into \(target)")
    }

    // MARK: Output

    /// Bytes waiting to be written.
    public var outputSize: Int { output.count }

    /// Writes what is pending (set by the connection), so a long answer goes out in parts.
    var writer: (@Sendable ([UInt8]) async throws -> Void)?

    /// Writes the pending output once it passes `threshold`: a FETCH of many large messages
    /// is sent as it is made instead of held whole.
    func flushIfLarge(threshold: Int = 256 << 10) async {
        guard output.count >= threshold, let writer else { return }
        let bytes = takeOutput()
        try? await writer(bytes)
    }

    /// What is to be written, and empties it.
    public func takeOutput() -> [UInt8] {
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    func send(_ response: UntaggedResponse) { encoder.encode(.untagged(response), into: &output) }

    func send(_ response: Response) { encoder.encode(response, into: &output) }

    func tagged(_ tag: Tag, _ status: TaggedResponse.Status, _ text: ResponseText) {
        if status == .bad { badCommands += 1 } else { badCommands = 0 }
        encoder.encode(.tagged(TaggedResponse(tag: tag, status: status, text: text)), into: &output)
    }

    func ok(_ tag: Tag, _ text: String, code: ResponseCode? = nil) { tagged(tag, .ok, ResponseText(code: code, text)) }
    func no(_ tag: Tag, _ text: String, code: ResponseCode? = nil) { tagged(tag, .no, ResponseText(code: code, text)) }
    func bad(_ tag: Tag, _ text: String, code: ResponseCode? = nil) { tagged(tag, .bad, ResponseText(code: code, text)) }

    /// A storage failure: the client gets the code and a plain text, the log the cause.
    func failed(_ tag: Tag, _ command: String, _ error: any Error) {
        if StorageErrorResponse.isServerFault(error) {
            logger.error("imap(\(user?.address ?? "?")): \(command) failed: \(error)")
        }
        tagged(tag, .no, StorageErrorResponse.text(for: error))
    }

    var condStore: Bool { enabled.contains("CONDSTORE") || enabled.contains("QRESYNC") }
    var qresync: Bool { enabled.contains("QRESYNC") }
    /// IMAP4rev1 semantics (\Recent, RECENT responses) until the client enables IMAP4rev2.
    var rev1: Bool { !enabled.contains("IMAP4REV2") }

    /// Runs blocking storage work on the pool.
    func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.run(work)
    }

    // MARK: Greeting and dispatch

    public func greeting() {
        send(.condition(.ok, ResponseText(code: .capability(capabilities), settings.greeting)))
    }

    /// Whether the connection should be closed for too many bad commands.
    public var tooManyBadCommands: Bool { badCommands >= settings.maxBadCommands }

    /// Runs one complete command.
    public func execute(_ tagged: TaggedCommand) async -> Next {
        let tag = tagged.tag
        let command = tagged.command
        let rule = CommandRule.rule(for: command)
        guard rule.states.contains(state) else {
            bad(tag, state == .notAuthenticated ? "Error in IMAP command \(command.name): Not logged in."
                    : "Error in IMAP command \(command.name): Command not valid in this state.")
            return .goOn
        }
        let next: Next
        switch command {
        case .capability: next = capability(tag)
        case .noop: next = await noop(tag, name: "NOOP")
        case .check: next = await noop(tag, name: "CHECK")
        case .logout: next = logout(tag)
        case .id(let parameters): next = id(tag, parameters)
        case .startTLS: next = startTLS(tag)
        case .login(let username, let password): next = await loginCommand(tag, username: username, password: password)
        case .authenticate(let mechanism, let initial): next = await authenticate(tag, mechanism: mechanism, initial: initial)
        case .enable(let names): next = enable(tag, names)
        case .namespace: next = namespace(tag)
        case .select(let name, let parameters): next = await select(tag, name, parameters, readOnly: false)
        case .examine(let name, let parameters): next = await select(tag, name, parameters, readOnly: true)
        case .create(let name, _): next = await create(tag, name)
        case .delete(let name): next = await delete(tag, name)
        case .rename(let from, let to): next = await rename(tag, from, to)
        case .subscribe(let name): next = await subscribe(tag, name, true)
        case .unsubscribe(let name): next = await subscribe(tag, name, false)
        case .list(let list): next = await listCommand(tag, list)
        case .lsub(let reference, let pattern): next = await lsub(tag, reference: reference, pattern: pattern)
        case .status(let name, let attributes): next = await status(tag, name, attributes)
        case .idle: next = idle(tag)
        case .getQuota(let root): next = await getQuota(tag, root: root)
        case .getQuotaRoot(let name): next = await getQuotaRoot(tag, name)
        case .setQuota: no(tag, "Quota is set by the administrator (moat user add --quota).", code: .noPerm); next = .goOn
        case .close: next = await close(tag)
        case .unselect: next = unselect(tag)
        case .expunge: next = await expunge(tag, uids: nil)
        case .uidExpunge(let set): next = await expunge(tag, uids: set)
        case .store(let store): next = await storeCommand(tag, store)
        case .copy(let copy): next = await copyOrMove(tag, copy, move: false)
        case .move(let move): next = await copyOrMove(tag, move, move: true)
        case .fetch(let fetch): next = await fetchCommand(tag, fetch)
        case .search(let search): next = await searchCommand(tag, search)
        case .sort(let sort): next = await sortCommand(tag, sort)
        case .thread(let thread): next = await threadCommand(tag, thread)
        }
        return next
    }

    /// A command the parser could not read: BAD with its tag, or untagged without one.
    public func parseError(_ error: CommandParseError) {
        // An APPEND the parser gave up on is over: what it held and reserved goes.
        if append != nil {
            releaseAppendMemory()
            append = nil
        }
        let text = ResponseText("Error in IMAP command: \(error.message)")
        if let tag = error.tag, case .literalTooLarge = error.kind, !error.closesConnection {
            // RFC 7889: a literal over APPENDLIMIT (or any literal too big to take) is TOOBIG.
            no(tag, "Literal too large (the limit is \(settings.appendLimit) bytes).", code: .tooBig)
        } else if let tag = error.tag {
            tagged(tag, .bad, text)
        } else {
            badCommands += 1
            send(.condition(.bad, text))
        }
        if error.closesConnection { send(.bye(ResponseText("Too long command line or literal."))) }
    }

    /// Untagged updates of the selected mailbox before a tagged reply.
    func sendUpdates(expungeAllowed: Bool = true) async {
        guard let selected else { return }
        let (condStore, qresync, rev1) = (self.condStore, self.qresync, self.rev1)
        do {
            for update in try await blocking({ try selected.updates(expungeAllowed: expungeAllowed, condStore: condStore,
                                                                     qresync: qresync, rev1: rev1) }) {
                send(update)
            }
        } catch MailboxError.noSuchMailbox {
            disconnectForDeletedMailbox()
        } catch MailboxError.io(_, _, let errno) where errno == 2 {  // ENOENT: the folder went
            disconnectForDeletedMailbox()
        } catch {
            logger.error("imap(\(user?.address ?? "?")): sync of \(selected.mailbox.name) failed: \(error)")
        }
    }

    /// Another session deleted the selected mailbox: there is nothing left to be in, so the
    /// session ends, in Dovecot's words.
    private func disconnectForDeletedMailbox() {
        guard !mustClose else { return }
        send(.bye(ResponseText("Selected mailbox was deleted, have to disconnect.")))
        mustClose = true
    }

    /// A CONDSTORE enabling command (RFC 7162 §3.1: FETCH MODSEQ, STORE UNCHANGEDSINCE, SEARCH
    /// MODSEQ, SELECT (CONDSTORE), STATUS HIGHESTMODSEQ) turned it on: with a mailbox selected,
    /// the client learns its HIGHESTMODSEQ at once (§3.1.2.1).
    func enableCondStore() async {
        guard !condStore else { return }
        enabled.insert("CONDSTORE")
        guard let selected else { return }
        if let status = try? await blocking({ try selected.mailbox.status() }) {
            send(.condition(.ok, ResponseText(code: .highestModSeq(status.highestModSeq), "Highest")))
        }
    }

    /// The user's mailbox name for a wire name, or a NO already sent.
    func storeName(_ tag: Tag, _ name: MailboxName) -> String? {
        guard let name = WireMailboxName.storeName(name) else {
            no(tag, "Mailbox name is not valid mUTF-7.", code: .cannot)
            return nil
        }
        return name
    }
}
