import Directory
import IMAP
import MailAccess
import Mailstore

extension IMAPSession {
    /// LOGIN (RFC 9051 §6.2.3). Refused before TLS except from secured networks
    /// (LOGINDISABLED), as Dovecot's `disable_plaintext_auth`.
    func loginCommand(_ tag: Tag, username: [UInt8], password: [UInt8]) async -> Next {
        guard plaintext.allows(peer: peer, tlsActive: tlsActive) else {
            logger.notice("\(logLine(user: String(decoding: username, as: UTF8.self)).plaintextRefused)")
            no(tag, "Plaintext authentication disallowed on non-secure (SSL/TLS) connections.", code: .privacyRequired)
            return .goOn
        }
        return await checkLogin(tag, user: String(decoding: username, as: UTF8.self), password: password)
    }

    func logLine(user: String?) -> LoginLogLine {
        LoginLogLine(service: "imap", user: user, method: "PLAIN", remoteAddress: peer, localAddress: localAddress, tls: tlsActive)
    }

    /// Checks a login (penalty, directory, session limit), then sets the session up: the
    /// user's default mailboxes exist and are subscribed (Dovecot's autocreate).
    func checkLogin(_ tag: Tag, user name: String, password: [UInt8]) async -> Next {
        switch await login.login(user: name, password: password, service: .imap, peer: peer) {
        case .failed:
            authFailures += 1
            no(tag, "Authentication failed.", code: .authenticationFailed)
            if authFailures >= settings.maxAuthFailures {
                logger.notice("\(logLine(user: name).authFailed(attempts: authFailures))")
                send(.bye(ResponseText("Too many invalid authentication attempts.")))
                return .close
            }
            return .goOn
        case .tooManySessions:
            logger.notice("imap-login: Maximum number of connections from user+IP exceeded: user=<\(name)>, rip=\(peer ?? "unknown")")
            no(tag, "Maximum number of connections from user+IP exceeded.", code: .limit)
            return .goOn
        case .unavailable(let why):
            logger.error("imap-login: directory unavailable: \(why)")
            no(tag, "Temporary authentication failure.", code: .unavailable)
            return .goOn
        case .success(let mailbox):
            let mailboxes = UserMailboxes(maildir: mailbox.maildir(mailRoot: mailRoot))
            do {
                try await blocking { [self] in
                    try mailboxes.ensureDefaultMailboxes()
                    try prepareQuarantineView(mailboxes, user: mailbox)
                }
            } catch {
                await login.endSession(user: mailbox.address, service: .imap, peer: peer)
                logger.error("imap(\(mailbox.address)): cannot set up the mailboxes: \(error)")
                no(tag, "Internal error occurred. Refer to server log for more information.", code: .serverBug)
                return .goOn
            }
            user = mailbox
            self.mailboxes = mailboxes
            state = .authenticated
            logger[metadataKey: "user"] = "\(mailbox.address)"
            logger.info("\(logLine(user: mailbox.address).login)")
            ok(tag, "Logged in", code: .capability(capabilities))
            return .goOn
        }
    }

    /// Gives back the user's session slot when the connection ends.
    public func ended() async {
        releaseAppendMemory()
        if let user {
            await login.endSession(user: user.address, service: .imap, peer: peer)
        } else if authFailures > 0 && authFailures < settings.maxAuthFailures {
            logger.notice("\(logLine(user: nil).authFailed(attempts: authFailures))")
        }
    }
}
