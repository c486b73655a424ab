// SMTPClientTLS - outbound STARTTLS (RFC 3207) settings for the client.
//
// Only opportunistic TLS so far, Postfix's `smtp_tls_security_level = may`: encrypt when
// the server offers STARTTLS, verify nothing (a certificate that does not match, is
// self-signed or expired is still better than plaintext, and refusing it would only push
// the mail back to plaintext). Verified levels (`verify`, `secure`, DANE) are future work.

import NIOCore
import NIOSSL

/// How the client secures a connection with STARTTLS.
public struct SMTPClientTLS: Sendable {
    /// The context every upgraded connection uses; creating one loads the trust store and
    /// costs milliseconds, so it is made once and shared.
    public let context: NIOSSLContext

    /// Wraps a prepared context (tests and future verified levels).
    public init(context: NIOSSLContext) {
        self.context = context
    }

    /// Opportunistic TLS as Postfix's `may` level: TLS 1.2 or newer, no certificate or
    /// name verification.
    /// - Throws: `SMTPClientError.tlsFailed` if BoringSSL cannot set up a context.
    public static func opportunistic() throws(SMTPClientError) -> SMTPClientTLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        configuration.minimumTLSVersion = .tlsv12
        do {
            return SMTPClientTLS(context: try NIOSSLContext(configuration: configuration))
        } catch {
            throw .tlsFailed("cannot create the TLS context: \(error)")
        }
    }

    /// The SNI name to send for `host`: names only; RFC 6066 §3 forbids address literals.
    static func serverName(for host: String?) -> String? {
        guard let host, !host.isEmpty, (try? SocketAddress(ipAddress: host, port: 0)) == nil else { return nil }
        return host.hasSuffix(".") ? String(host.dropLast()) : host
    }
}
