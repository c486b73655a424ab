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
        let supervisor: ServeSupervisor
        let process: ServeProcess
        let mailboxAccess: MailboxAccessListeners
        do {
            var mx: MXService?
            if config.mx.enabled {
                mx = try MXService.start(config: config, logger: logger, maildirPermissions: privileges.maildir)
            }
            process = ServeProcess(
                quarantine: try Components.quarantine(config),
                messageMemory: MessageMemoryBudget(limit: config.limits.messageMemory, afterBurst: MallocTuning.trim),
                mx: mx)
            let generation = try await ServeGeneration.build(config: config, parts: parts, process: process, logger: logger)
            supervisor = try await ServeSupervisor.bind(configPath: options.config, generation: generation,
                                                        process: process, logger: logger)
            do {
                mailboxAccess = try await MailboxAccessListeners.bind(
                    config: config, quarantine: process.quarantine, messageMemory: process.messageMemory, logger: logger)
            } catch {
                await supervisor.stop()
                throw error
            }
            await supervisor.attach(mailboxAccess.certificates)
        } catch let error as ListenerBindError {
            printError("moat: \(error)")
            throw ExitCode(1)
        } catch {
            printError("moat: \(error)")
            throw ExitCode(1)
        }
        let pidFile = PidFile(path: config.storage.pidFile)
        // Signals are handled from here on, before anything says "listening": a SIGHUP sent
        // as soon as the port shows must not kill the process (SIGHUP's default), and a
        // reload asked for before serving starts runs once it has (as the service user).
        let signals = SignalWatcher(
            scanner: supervisor.scanner, interval: config.virus.reloadCheckInterval, logger: logger,
            reload: { Task { await supervisor.reload() } },
            stop: {
                Task {
                    await supervisor.stop()
                    await mailboxAccess.stop()
                    // Sessions get a grace period to finish their message; after it the
                    // process exits, and any client still waiting for a DATA reply sees
                    // the connection drop and retries: nothing was acknowledged.
                    try? await Task.sleep(for: .seconds(10))
                    logger.notice("stopped with sessions still open")
                    pidFile.remove()
                    Glibc.exit(0)
                }
            })
        signals.start()
        do {
            try pidFile.write()
        } catch {
            printError("moat: \(config.origin.issue("storage", "data_dir", "\(error)"))")
            throw ExitCode(1)
        }
        let bound = await supervisor.boundAddresses
        logger.notice("listening on \(bound.filter) (\(config.filter.listen.hasPrefix("lmtp:") ? "LMTP" : "SMTP")), re-injecting to \(config.filter.reinject)")
        if let mx = bound.mx { logger.notice("MX listening on \(mx) as \(config.mx.hostname)") }
        for line in mailboxAccess.boundAddresses { logger.notice("\(line)") }
        // Every listener is bound and none accepts before startServing(): switch now, so no
        // byte from the network is read as root.
        do {
            try privileges.drop(config, logger: logger)
        } catch {
            printError("moat: \(error)")
            throw ExitCode(1)
        }
        await supervisor.startServing()
        // Users' sessions run beside the mail path and end when it does.
        let mailboxSessions = Task { await mailboxAccess.run(logger: logger) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await supervisor.untilStopped() }
            if let scheduler = process.mx?.scheduler {
                group.addTask { try await scheduler.run() }
            }
            if let housekeeping = QuarantineHousekeeping(config.quarantine, store: process.quarantine, logger: logger) {
                group.addTask { await housekeeping.run() }
            }
            // The listeners end when closed and their sessions are done; the queue then stops too.
            try await group.next()
            group.cancelAll()
        }
        await mailboxAccess.stop()
        await mailboxSessions.value
        pidFile.remove()
        logger.notice("stopped")
    }
}

/// A listener that could not bind, named by the address and port it tried and the key
/// that set them (`file:line: [mx] listen: cannot listen on 0.0.0.0:25: Address already in use`).
struct ListenerBindError: Error, CustomStringConvertible {
    let issue: ConfigIssue
    var description: String { issue.description }

    /// Runs `bind`, turning its failure into a `ListenerBindError` for `[section] listen`.
    static func naming<T>(_ endpoint: EndpointText, _ section: String, _ origin: ConfigOrigin, key: String = "listen",
                          _ bind: () async throws -> T) async throws(ListenerBindError) -> T {
        do {
            return try await bind()
        } catch {
            let host = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
            throw ListenerBindError(issue: origin.issue(section, key, "cannot listen on \(host):\(endpoint.port): \(error)"))
        }
    }
}

/// SIGHUP reloads (`ServeSupervisor.reload`); SIGTERM/SIGINT stop accepting and let
/// sessions finish; a timer picks up freshclam's updates for the scanner in use.
final class SignalWatcher {
    private let sources: [any DispatchSourceProtocol]

    init(scanner: Locked<any VirusScanner>, interval: Duration, logger: Logger,
         reload: @escaping @Sendable () -> Void, stop: @escaping @Sendable () -> Void) {
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
        signal(SIGHUP, SIG_IGN)
        let hup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        hup.setEventHandler {
            logger.notice("SIGHUP: reloading")
            reload()
        }
        sources.append(hup)
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let seconds = max(1, interval.seconds)
        timer.schedule(deadline: .now() + seconds, repeating: seconds)
        timer.setEventHandler {
            guard let engine = scanner.withLock({ $0 }) as? ClamAVEngine else { return }
            do {
                if try engine.reloadIfChanged() {
                    logger.notice("ClamAV databases changed: reloaded, \(engine.signatureCount) signatures")
                }
            } catch {
                logger.error("ClamAV reload failed, keeping the old engine: \(error)")
            }
        }
        sources.append(timer)
        self.sources = sources
    }

    func start() { sources.forEach { $0.resume() } }
}

#if canImport(Glibc)
import Glibc
#endif
