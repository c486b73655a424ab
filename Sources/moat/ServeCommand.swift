import ArgumentParser
@preconcurrency import Dispatch
import Filter
import Logging
import MoatCore
import NIOCore
import NIOPosix
import Scanning
import SMTP

/// `moat serve`: the content-filter listener (Postfix `content_filter` target) and, with
/// `[mx] enabled`, the MX: its listener, queue and delivery.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the filter gateway and the MX.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try loadConfig(options.config)
        MallocTuning.apply()
        try LogOutput.apply(config.log)
        let logger = Logger(label: "moat")
        let privileges: ServicePrivileges
        do {
            privileges = try ServicePrivileges.prepare(config)
        } catch {
            printError("moat: \(error.issue(in: config.origin))")
            throw ExitCode(1)
        }
        let parts = try validatedParts(config, purpose: .serve, logger: logger)
        let scanner = parts.scanner
        var checker = parts.checker
        let checks = config.limits.contentChecks
        checker.slots = ContentCheckSlots(count: checks > 0 ? checks : 4 * System.coreCount)
        let quarantine = try Components.quarantine(config)
        let pipeline = FilterPipeline(checker: checker, policy: FilterPolicy(config: config), quarantine: quarantine,
                                      relay: SMTPRelay(endpoint: parts.reinject, heloName: config.filter.hostname,
                                                       logger: logger),
                                      logger: logger)
        let listen = try EndpointText(parsing: config.filter.listen)
        let f = config.filter
        let messageMemory = MessageMemoryBudget(limit: config.limits.messageMemory, afterBurst: MallocTuning.trim)
        let filterServer: SMTPServer
        do {
            filterServer = try await ListenerBindError.naming(listen, "filter", config.origin) {
                try await SMTPServer.bind(
                    host: listen.host, port: listen.port,
                    settings: SMTPServerSettings(hostname: f.hostname, lmtp: listen.lmtp, maxMessageSize: f.maxMessageSize,
                                                 maxRecipients: f.maxRecipients),
                    // Postfix's side of the filter runs with smtpd_error_sleep_time=0; so do we.
                    limits: SMTPServer.Limits(
                        admission: ConnectionAdmission.Rules(allowed: try NetworkSet(f.allow), maxConnections: f.maxConnections,
                                                             guards: f.guards),
                        timeouts: SessionTimeouts(idle: f.idleTimeout, guards: f.guards), errorSleep: .zero,
                        messageMemory: messageMemory),
                    handler: pipeline, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
            }
        } catch let error as ListenerBindError {
            printError("moat: \(error)")
            throw ExitCode(1)
        }
        let bound = filterServer.localAddress
        logger.notice("listening on \(bound.ipAddress ?? listen.host):\(bound.port ?? listen.port) (\(listen.lmtp ? "LMTP" : "SMTP")), re-injecting to \(config.filter.reinject)")

        var mx: MXService?
        if let mxParts = parts.mx {
            do {
                mx = try await MXService.start(config: config, parts: mxParts, checker: checker, quarantine: quarantine,
                                               messageMemory: messageMemory, logger: logger,
                                               maildirPermissions: privileges.maildir)
            } catch let error as ListenerBindError {
                printError("moat: \(error)")
                throw ExitCode(1)
            } catch {
                printError("moat: mx: \(error)")
                throw ExitCode(1)
            }
            if let address = mx?.server.localAddress {
                logger.notice("MX listening on \(address.ipAddress ?? "?"):\(address.port ?? 0) as \(config.mx.hostname)")
            }
        }
        // Every listener is bound and none accepts before run(): switch now, so no byte
        // from the network is read as root.
        do {
            try privileges.drop(config, logger: logger)
        } catch {
            printError("moat: \(error)")
            throw ExitCode(1)
        }
        let servers = [filterServer] + (mx.map { [$0.server] } ?? [])
        let signals = SignalWatcher(scanner: scanner as? ClamAVEngine, interval: config.virus.reloadCheckInterval,
                                    logger: logger, stop: {
            Task {
                for server in servers { await server.close() }
                // Sessions get a grace period to finish their message; after it the
                // process exits, and any client still waiting for a DATA reply sees
                // the connection drop and retries: nothing was acknowledged.
                try? await Task.sleep(for: .seconds(10))
                logger.notice("stopped with sessions still open")
                Glibc.exit(0)
            }
        })
        signals.start()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for server in servers { group.addTask { try await server.run() } }
            if let scheduler = mx?.scheduler {
                group.addTask { try await scheduler.run() }
            }
            if let housekeeping = QuarantineHousekeeping(config.quarantine, store: quarantine, logger: logger) {
                group.addTask { await housekeeping.run() }
            }
            // The listeners end when closed; the queue then stops too.
            for _ in servers { try await group.next() }
            group.cancelAll()
        }
        logger.notice("stopped")
    }
}

/// A listener that could not bind, named by the address and port it tried and the key
/// that set them (`file:line: [mx] listen: cannot listen on 0.0.0.0:25: Address already in use`).
struct ListenerBindError: Error, CustomStringConvertible {
    let issue: ConfigIssue
    var description: String { issue.description }

    /// Runs `bind`, turning its failure into a `ListenerBindError` for `[section] listen`.
    static func naming<T>(_ endpoint: EndpointText, _ section: String, _ origin: ConfigOrigin,
                          _ bind: () async throws -> T) async throws -> T {
        do {
            return try await bind()
        } catch {
            let host = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
            throw ListenerBindError(issue: origin.issue(section, "listen", "cannot listen on \(host):\(endpoint.port): \(error)"))
        }
    }
}

/// SIGHUP reloads the ClamAV databases; SIGTERM/SIGINT stop accepting and let sessions
/// finish; a timer picks up freshclam's updates.
final class SignalWatcher {
    private let sources: [any DispatchSourceProtocol]

    init(scanner: ClamAVEngine?, interval: Duration, logger: Logger, stop: @escaping @Sendable () -> Void) {
        let queue = DispatchQueue(label: "moat.signals")
        var sources: [any DispatchSourceProtocol] = []
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler {
                logger.notice("signal \(sig): shutting down")
                stop()
            }
            sources.append(source)
        }
        if let scanner {
            signal(SIGHUP, SIG_IGN)
            let hup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
            hup.setEventHandler {
                do {
                    try scanner.reload()
                    logger.notice("SIGHUP: ClamAV databases reloaded, \(scanner.signatureCount) signatures")
                } catch {
                    logger.error("SIGHUP: ClamAV reload failed, keeping the old engine: \(error)")
                }
            }
            sources.append(hup)
            let timer = DispatchSource.makeTimerSource(queue: queue)
            let seconds = max(1, interval.seconds)
            timer.schedule(deadline: .now() + seconds, repeating: seconds)
            timer.setEventHandler {
                do {
                    if try scanner.reloadIfChanged() {
                        logger.notice("ClamAV databases changed: reloaded, \(scanner.signatureCount) signatures")
                    }
                } catch {
                    logger.error("ClamAV reload failed, keeping the old engine: \(error)")
                }
            }
            sources.append(timer)
        }
        self.sources = sources
    }

    func start() { sources.forEach { $0.resume() } }
}

#if canImport(Glibc)
import Glibc
#endif
