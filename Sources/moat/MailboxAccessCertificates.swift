import Foundation
import Logging
import MoatCore
import NIOSSL

/// The certificate pairs of the IMAP and POP3 listeners, read again at each reload so a
/// renewed certificate serves new connections (TLS ports, STARTTLS and STLS) without a
/// restart, as the MX's does; sessions already running keep theirs. The paths stay those
/// the process started with (`[imap]` and `[pop3]` are restart-only): the files are what
/// is read again.
struct MailboxAccessCertificates: Sendable {
    /// One section's pair and the listeners that serve it.
    struct Pair: Sendable {
        let section: String
        let settings: MXSettings.TLS
        /// A pair was loaded at start (else STARTTLS is off and the TLS port not bound).
        let loadedAtStart: Bool
        let replace: [@Sendable (NIOSSLContext) -> Void]
    }

    /// Pairs read and checked, put in place by `install()`.
    struct Renewal: Sendable {
        fileprivate let contexts: [(Pair, NIOSSLContext)]

        /// Serves the new pairs to new connections; cannot fail.
        func install() {
            for (pair, context) in contexts { for replace in pair.replace { replace(context) } }
        }

        var isEmpty: Bool { contexts.isEmpty }
    }

    let origin: ConfigOrigin
    private(set) var pairs: [Pair] = []

    init(origin: ConfigOrigin) {
        self.origin = origin
    }

    mutating func add(_ section: String, _ settings: MXSettings.TLS, loadedAtStart: Bool,
                      replace: [@Sendable (NIOSSLContext) -> Void]) {
        guard !replace.isEmpty else { return }
        pairs.append(Pair(section: section, settings: settings, loadedAtStart: loadedAtStart, replace: replace))
    }

    /// Reads every pair (blocking file reads: call off the event loops). Nothing is put in
    /// place: a reload installs them with the rest of its configuration, or not at all.
    /// - Throws: `ConfigError` naming `[section.tls]` and the file when a pair does not load,
    ///   or is gone while a loaded one serves; the loaded pairs then stay.
    func read(logger: Logger) throws -> Renewal {
        var contexts: [(Pair, NIOSSLContext)] = []
        for pair in pairs {
            // Both files gone: tlsContext would turn STARTTLS off; a TLS port cannot go plain.
            if pair.loadedAtStart && !FileManager.default.fileExists(atPath: pair.settings.certificate)
                && !FileManager.default.fileExists(atPath: pair.settings.key) {
                throw ConfigError(issues: [origin.issue("\(pair.section).tls", "certificate",
                                                        "\(pair.settings.certificate): no such file; the loaded pair stays")])
            }
            let context: NIOSSLContext?
            do {
                context = try MXService.tlsContext(pair.settings, logger: logger, listener: pair.section)
            } catch {
                throw ConfigError(issues: [origin.issue("\(pair.section).tls", error.key,
                                                        "\(error.description); the loaded pair stays")])
            }
            guard let context else { continue }  // none at start, none now
            if !pair.loadedAtStart {
                logger.warning("\(pair.section): certificate read: STARTTLS offered from now on; listen_tls needs a restart")
            }
            contexts.append((pair, context))
        }
        return Renewal(contexts: contexts)
    }
}
