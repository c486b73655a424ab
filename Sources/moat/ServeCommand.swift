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
        LogOutput.level.withLock {
            $0 = Logger.Level(rawValue: config.log.level == .notice ? "notice" : config.log.level.rawValue) ?? .info
        }
        let logger = Logger(label: "moat")
        let privileges: ServicePrivileges
        do {
            privileges = try ServicePrivileges.prepare(config)
        } catch {
            printError("moat: \(error)")
            throw ExitCode(1)
        }
        let scanner: any VirusScanner
        do {
            scanner = try Components.virusScanner(config, logger: logger)
        } catch {
            printError("moat: antivirus: \(error)")
            throw ExitCode(1)
        }
        let checker = try Components.checker(config, scanner: scanner, spam: Components.spamEngine(config, logger: logger))
        let quarantine = try Components.quarantine(config)
        let pipeline = FilterPipeline(checker: checker, policy: FilterPolicy(config: config), quarantine: quarantine,
                                      relay: try Components.relay(config, logger: logger), logger: logger)
        let listen = try EndpointText(parsing: config.filter.listen)
        let f = config.filter
        let filterServer = try await SMTPServer.bind(
            host: listen.host, port: listen.port,
            settings: SMTPServerSettings(hostname: f.hostname, lmtp: listen.lmtp, maxMessageSize: f.maxMessageSize,
                                         maxRecipients: f.maxRecipients),
            // Postfix's side of the filter runs with smtpd_error_sleep_time=0; so do we.
            limits: SMTPServer.Limits(
                admission: ConnectionAdmission.Rules(allowed: try NetworkSet(f.allow), maxConnections: f.maxConnections,
                                                     guards: f.guards),
                timeouts: SessionTimeouts(idle: f.idleTimeout, guards: f.guards), errorSleep: .zero),
            handler: pipeline, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        let bound = filterServer.localAddress
        logger.notice("listening on \(bound.ipAddress ?? listen.host):\(bound.port ?? listen.port) (\(listen.lmtp ? "LMTP" : "SMTP")), re-injecting to \(config.filter.reinject)")

        var mx: MXService?
        if config.mx.enabled {
            do {
                mx = try await MXService.start(config: config, checker: checker, quarantine: quarantine, logger: logger,
                                               maildirPermissions: privileges.maildir)
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
            // The listeners end when closed; the queue then stops too.
            for _ in servers { try await group.next() }
            group.cancelAll()
        }
        logger.notice("stopped")
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
