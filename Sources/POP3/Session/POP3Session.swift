import MailAccess

/// A POP3 session as a value (RFC 1939 with RFC 2449 CAPA and response codes, RFC 2595
/// STLS, RFC 5034 AUTH): lines in, actions out; the server carries out the actions and
/// reports back (`loginSucceeded`, `loginFailed`, `tlsStarted`). Replies and their wording
/// follow Dovecot's, which POP3 clients and admins know.
public struct POP3Session: Sendable {
    public struct Settings: Sendable, Equatable {
        /// After `+OK` in the greeting.
        public var greeting: String
        /// STLS is offered (a certificate is configured and the connection is not TLS yet).
        public var offersSTLS: Bool
        /// Failed logins after which the connection is closed.
        public var maxAuthFailures: Int
        /// Unknown or malformed commands after which the connection is closed (Dovecot: 20).
        public var maxBadCommands: Int

        public init(greeting: String = "ready.", offersSTLS: Bool = false, maxAuthFailures: Int = 3, maxBadCommands: Int = 20) {
            self.greeting = greeting
            self.offersSTLS = offersSTLS
            self.maxAuthFailures = maxAuthFailures
            self.maxBadCommands = maxBadCommands
        }
    }

    /// What the server is to do, in order.
    public enum Action: Sendable, Equatable {
        case send([UInt8])
        /// Send the reply, then put TLS under the connection and call `tlsStarted`.
        case startTLS(reply: [UInt8])
        /// Check the login (penalty, directory, session limit), open the maildrop, then call
        /// `loginSucceeded` or `loginFailed`.
        case login(user: String, password: [UInt8], method: String)
        /// Send message `index` (0-based) with `POP3Response.message`, whole or for TOP.
        case retrieve(index: Int, bodyLines: Int?)
        /// Commit the UPDATE state, then send `+OK Logging out.` and close (`-ERR` if it fails).
        case commit(deleting: [Int], retrieved: [Int])
        case close
    }

    /// Why a login did not open a session.
    public enum LoginFailure: Sendable, Equatable {
        case credentials
        case inUse
        case temporary
    }

    private enum State: Sendable, Equatable {
        case authorization(user: String?)
        /// Waiting for the client's SASL PLAIN response line.
        case saslPlain
        /// The server is checking a login.
        case checkingLogin(method: String)
        case transaction
        case done
    }

    public let settings: Settings
    private var state = State.authorization(user: nil)
    private var plaintextAllowed: Bool
    private var tlsActive: Bool
    private var authFailures = 0
    private var badCommands = 0
    private var messages: [POP3Listing] = []
    private var deleted = Set<Int>()
    private var retrieved = Set<Int>()
    /// The user of the session, once logged in (for the log).
    public private(set) var user: String?
    private var pendingUser: String?

    /// Longest SASL response line accepted (a PLAIN response of a 255-byte user and password).
    public static let maxSASLLine = 2048

    public init(settings: Settings, plaintextAllowed: Bool, tlsActive: Bool) {
        self.settings = settings
        self.plaintextAllowed = plaintextAllowed
        self.tlsActive = tlsActive
    }

    public var isClosed: Bool { state == .done }
    /// Whether the next line is a SASL response (it may be longer than a command).
    public var expectsSASLResponse: Bool { state == .saslPlain }

    public func greeting() -> Action { .send(POP3Response.ok(settings.greeting)) }

    /// A line over the length limit (its start was dropped up to the CRLF).
    public mutating func lineTooLong() -> [Action] {
        badCommand(POP3Response.error("Input line too long."))
    }

    /// One line from the client, without its CRLF.
    public mutating func received(line: ArraySlice<UInt8>) -> [Action] {
        switch state {
        case .done, .checkingLogin:
            return []  // the server stops reading while it checks a login; nothing comes here
        case .saslPlain:
            return saslResponse(line)
        case .authorization, .transaction:
            switch POP3Command.parse(line) {
            case .failure(.unknown):
                return badCommand(POP3Response.error("Unknown command."))
            case .failure(.syntax(let why)):
                return badCommand(POP3Response.error("Invalid arguments: \(why)."))
            case .success(let command):
                return state == .transaction ? transaction(command) : authorization(command)
            }
        }
    }

    // MARK: AUTHORIZATION

    private var capabilities: [String] {
        var lines = ["CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE"]
        if state != .transaction {
            if plaintextAllowed { lines += ["USER", "SASL PLAIN"] }
            if settings.offersSTLS && !tlsActive { lines.append("STLS") }
        }
        return lines
    }

    private mutating func authorization(_ command: POP3Command) -> [Action] {
        switch command {
        case .capa:
            return [.send(POP3Response.multiLine("", capabilities))]
        case .quit:
            state = .done
            return [.send(POP3Response.ok("Logging out.")), .close]
        case .noop:
            return [.send(POP3Response.ok(""))]
        case .stls:
            guard settings.offersSTLS, !tlsActive else { return badCommand(POP3Response.error("TLS is not available.")) }
            state = .authorization(user: nil)
            return [.startTLS(reply: POP3Response.ok("Begin TLS negotiation now."))]
        case .user(let name):
            guard plaintextAllowed else { return refusePlaintext() }
            state = .authorization(user: name)
            return [.send(POP3Response.ok(""))]
        case .pass(let password):
            guard plaintextAllowed else { return refusePlaintext() }
            guard case .authorization(let user?) = state else {
                return badCommand(POP3Response.error("No username given."))
            }
            state = .checkingLogin(method: "PLAIN")
            return [.login(user: user, password: password, method: "PLAIN")]
        case .auth(nil, _):
            return [.send(POP3Response.multiLine("", plaintextAllowed ? ["PLAIN"] : []))]
        case .auth(let mechanism?, let initial):
            guard mechanism == "PLAIN" else {
                return badCommand(POP3Response.error("Unsupported authentication mechanism."))
            }
            guard plaintextAllowed else { return refusePlaintext() }
            guard let initial else {
                state = .saslPlain
                return [.send(POP3Response.continuation())]
            }
            return saslResponse(ArraySlice(initial.utf8))
        default:
            return badCommand(POP3Response.error("Unknown command."))
        }
    }

    private mutating func refusePlaintext() -> [Action] {
        badCommand(POP3Response.error("Plaintext authentication disallowed on non-secure (SSL/TLS) connections.",
                                      code: .auth))
    }

    /// RFC 5034 §4: `*` cancels; the response is base64 of RFC 4616's message.
    private mutating func saslResponse(_ line: ArraySlice<UInt8>) -> [Action] {
        if line.elementsEqual("*".utf8) {
            state = .authorization(user: nil)
            return [.send(POP3Response.error("Authentication aborted by client."))]
        }
        do {
            let plain = try SASLPlain(base64: String(decoding: line, as: UTF8.self))
            guard !plain.asksForAnotherIdentity else {
                state = .authorization(user: nil)
                return failedLogin()
            }
            state = .checkingLogin(method: "PLAIN")
            return [.login(user: plain.user, password: plain.password, method: "PLAIN")]
        } catch {
            state = .authorization(user: nil)
            return badCommand(POP3Response.error("Invalid base64 data in continued response."))
        }
    }

    /// The server found the login good and opened the maildrop.
    public mutating func loginSucceeded(user: String, messages: [POP3Listing]) -> [Action] {
        self.user = user
        self.messages = messages
        state = .transaction
        return [.send(POP3Response.ok("Logged in."))]
    }

    /// The server refused the login.
    public mutating func loginFailed(_ failure: LoginFailure) -> [Action] {
        state = .authorization(user: nil)
        switch failure {
        case .credentials:
            return failedLogin()
        case .inUse:
            return [.send(POP3Response.error("Maximum number of connections from user+IP exceeded.", code: .inUse))]
        case .temporary:
            return [.send(POP3Response.error("Temporary authentication failure.", code: .sysTemp))]
        }
    }

    private mutating func failedLogin() -> [Action] {
        authFailures += 1
        let reply = POP3Response.error("Authentication failed.", code: .auth)
        guard authFailures < settings.maxAuthFailures else {
            state = .done
            return [.send(reply), .close]
        }
        return [.send(reply)]
    }

    /// STLS's handshake finished: the client starts over (RFC 2595 §4).
    public mutating func tlsStarted(plaintextAllowed: Bool) {
        tlsActive = true
        self.plaintextAllowed = plaintextAllowed
        state = .authorization(user: nil)
    }

    // MARK: TRANSACTION

    private mutating func transaction(_ command: POP3Command) -> [Action] {
        switch command {
        case .capa:
            return [.send(POP3Response.multiLine("", capabilities))]
        case .stat:
            let live = messages.indices.filter { !deleted.contains($0) }
            return [.send(POP3Response.ok("\(live.count) \(live.reduce(0) { $0 + messages[$1].size })"))]
        case .list(nil):
            let lines = messages.indices.filter { !deleted.contains($0) }.map { "\($0 + 1) \(messages[$0].size)" }
            return [.send(POP3Response.multiLine("\(lines.count) messages:", lines))]
        case .list(let number?):
            return message(number).map { [.send(POP3Response.ok("\($0 + 1) \(messages[$0].size)"))] } ?? refused(number)
        case .uidl(nil):
            let lines = messages.indices.filter { !deleted.contains($0) }.map { "\($0 + 1) \(messages[$0].uidl)" }
            return [.send(POP3Response.multiLine("", lines))]
        case .uidl(let number?):
            return message(number).map { [.send(POP3Response.ok("\($0 + 1) \(messages[$0].uidl)"))] } ?? refused(number)
        case .retr(let number):
            guard let index = message(number) else { return refused(number) }
            retrieved.insert(index)
            return [.retrieve(index: index, bodyLines: nil)]
        case .top(let number, let lines):
            guard let count = Int(lines), count >= 0, lines.allSatisfy(\.isASCII) else {
                return badCommand(POP3Response.error("Invalid number of lines: \(Self.shown(lines))"))
            }
            return message(number).map { [.retrieve(index: $0, bodyLines: count)] } ?? refused(number)
        case .dele(let number):
            guard let index = message(number) else { return refused(number) }
            deleted.insert(index)
            return [.send(POP3Response.ok("Marked to be deleted."))]
        case .noop:
            return [.send(POP3Response.ok(""))]
        case .rset:
            deleted.removeAll()
            retrieved.removeAll()
            return [.send(POP3Response.ok(""))]
        case .quit:
            state = .done
            return [.commit(deleting: deleted.sorted(), retrieved: retrieved.subtracting(deleted).sorted())]
        case .user, .pass, .auth, .stls:
            return badCommand(POP3Response.error("Unknown command."))
        }
    }

    /// The 0-based index of message `number`, when it names a message not marked deleted.
    private func message(_ number: String) -> Int? {
        guard let n = Int(number), number.allSatisfy(\.isASCII), n >= 1, n <= messages.count, !deleted.contains(n - 1)
        else { return nil }
        return n - 1
    }

    /// The error for a `number` that `message` refused: not a number, no such message, or deleted.
    private mutating func refused(_ number: String) -> [Action] {
        guard let n = Int(number), number.allSatisfy(\.isASCII) else {
            return badCommand(POP3Response.error("Invalid message number: \(Self.shown(number))"))
        }
        guard n >= 1, n <= messages.count else { return [.send(POP3Response.error("There's no message \(n)."))] }
        return [.send(POP3Response.error("Message is deleted."))]
    }

    private mutating func badCommand(_ reply: [UInt8]) -> [Action] {
        badCommands += 1
        guard badCommands < settings.maxBadCommands else {
            state = .done
            return [.send(POP3Response.error("Too many bad commands.")), .close]
        }
        return [.send(reply)]
    }

    /// Client text echoed in a reply: printable ASCII, bounded.
    private static func shown(_ text: String) -> String {
        String(text.unicodeScalars.prefix(40).map { (0x21...0x7E).contains($0.value) ? Character($0) : "?" })
    }
}
