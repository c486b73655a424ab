import IMAP
import MailAccess

extension IMAPSession {
    /// AUTHENTICATE PLAIN (RFC 9051 §6.2.2, RFC 4616), with SASL-IR's initial response
    /// (RFC 4959) or after an empty `+ ` challenge.
    func authenticate(_ tag: Tag, mechanism: String, initial: AuthenticationResponse?) async -> Next {
        guard mechanism == "PLAIN" else {
            no(tag, "Unsupported authentication mechanism.")
            return .goOn
        }
        guard plaintext.allows(peer: peer, tlsActive: tlsActive) else {
            no(tag, "Plaintext authentication disallowed on non-secure (SSL/TLS) connections.", code: .privacyRequired)
            return .goOn
        }
        guard let initial else {
            pendingAuthentication = tag
            send(.continuation(.challenge([])))
            return .authenticationResponse
        }
        return await authenticationResponse(tag, initial)
    }

    /// The client's response line to the `+ ` of AUTHENTICATE.
    public func authenticationResponse(_ response: AuthenticationResponse) async -> Next {
        guard let tag = pendingAuthentication else { return .goOn }
        pendingAuthentication = nil
        return await authenticationResponse(tag, response)
    }

    private func authenticationResponse(_ tag: Tag, _ response: AuthenticationResponse) async -> Next {
        switch response {
        case .cancel:
            bad(tag, "Authentication aborted by client.")
            return .goOn
        case .data(let message):
            guard let plain = try? SASLPlain(message: message) else {
                bad(tag, "Invalid base64 data in continued response")
                return .goOn
            }
            guard !plain.asksForAnotherIdentity else {
                authFailures += 1
                no(tag, "Authentication failed.", code: .authorizationFailed)
                return .goOn
            }
            return await checkLogin(tag, user: plain.user, password: plain.password)
        }
    }
}
