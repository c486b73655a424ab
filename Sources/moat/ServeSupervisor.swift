import Dispatch
import Foundation
import Logging
import MoatCore
import NIOCore
import NIOPosix
import Scanning
import SMTP
#if canImport(Glibc)
import Glibc
#endif

/// Runs `moat serve`'s listeners on the current `ServeGeneration` and replaces it on a
/// reload (SIGHUP, `moat reload`): the configuration is read again and everything is built
/// off to the side; only when all of it stands (rules compiled, signatures loaded, TLS pair
/// read, moved listeners bound) is it swapped in, in one step. A reload that fails at any
/// point logs why and leaves the running generation untouched. Sessions in progress finish
/// on the generation they began with; listeners whose address changed are bound anew and
/// the old ones closed once their sessions end.
actor ServeSupervisor {
    private struct Listener {
        let server: SMTPServer
        let endpoint: EndpointText
    }

    private let configPath: String
    private let process: ServeProcess
    private let logger: Logger
    private var generation: ServeGeneration
    private var filterListener: Listener
    private var mxListener: Listener?
    private var listenerTasks: [Task<Void, Never>] = []
    private var reloading = false
    private var reloadAgain = false
    /// Serving has started (and privileges are dropped): reloads run from then on.
    private var serving = false
    private var reloadAskedBeforeServing = false
    private var stopping = false
    private var stopWaiters: [CheckedContinuation<Void, Never>] = []
    /// The IMAP and POP3 listeners' pairs, renewed with each reload.
    private var mailboxCertificates: MailboxAccessCertificates?
    /// The scanner of the current generation, for the freshclam timer (on its own queue).
    nonisolated let scanner: Locked<any VirusScanner>

    /// Binds the listeners of `generation` (as root, when started so); nothing is served
    /// before `startServing()`.
    static func bind(configPath: String, generation: ServeGeneration, process: ServeProcess,
                     logger: Logger) async throws(ListenerBindError) -> ServeSupervisor {
        let origin = generation.config.origin
        let filter = try await Self.bindListener(generation.filterListen, "filter", generation.filter, origin, logger)
        var mx: Listener?
        if let next = generation.mx {
            do {
                mx = try await Self.bindListener(next.listen, "mx", next.service, origin, logger)
            } catch {
                await filter.server.close()
                throw error
            }
        }
        return ServeSupervisor(configPath: configPath, generation: generation, process: process, filter: filter,
                               mx: mx, logger: logger)
    }

    private init(configPath: String, generation: ServeGeneration, process: ServeProcess, filter: Listener,
                 mx: Listener?, logger: Logger) {
        // Absolute, so the log names the file whatever directory moat was started from.
        self.configPath = ConfigPath.resolve(configPath, against: FileManager.default.currentDirectoryPath)
        self.generation = generation
        self.process = process
        self.filterListener = filter
        self.mxListener = mx
        self.logger = logger
        self.scanner = Locked(generation.scanner)
        generation.mx.map { process.mx?.deliverer.replace(with: $0.afterQueue) }
    }

    /// The addresses the listeners are bound to, for the start-up log.
    var boundAddresses: (filter: SocketAddressText, mx: SocketAddressText?) {
        (SocketAddressText(filterListener.server.localAddress, filterListener.endpoint),
         mxListener.map { SocketAddressText($0.server.localAddress, $0.endpoint) })
    }

    /// Reloads read the IMAP and POP3 certificate pairs again from now on.
    func attach(_ certificates: MailboxAccessCertificates) {
        mailboxCertificates = certificates
    }

    /// Starts accepting on every listener, then runs a reload asked for during start-up.
    func startServing() {
        serving = true
        serve(filterListener)
        mxListener.map(serve)
        if reloadAskedBeforeServing {
            Task { await reload() }
        }
    }

    private func serve(_ listener: Listener) {
        let logger = self.logger
        listenerTasks.append(Task {
            do {
                try await listener.server.run()
            } catch {
                logger.error("listener on \(listener.endpoint.host):\(listener.endpoint.port) ended: \(error)")
            }
        })
    }

    /// Stops accepting on every listener; sessions go on until they end.
    func stop() async {
        guard !stopping else { return }
        stopping = true
        await filterListener.server.close()
        await mxListener?.server.close()
        for waiter in stopWaiters { waiter.resume() }
        stopWaiters.removeAll()
    }

    /// Returns once `stop()` was called and every session of every listener has ended.
    func untilStopped() async {
        if !stopping {
            await withCheckedContinuation { stopWaiters.append($0) }
        }
        for task in listenerTasks { await task.value }
    }

    /// Reloads; a request arriving during a reload makes one more run after it, so the
    /// last change made before the last signal is always read.
    func reload() async {
        guard serving else {
            // Still starting, perhaps still root: the reload waits for startServing().
            reloadAskedBeforeServing = true
            return
        }
        if reloading {
            reloadAgain = true
            return
        }
        reloading = true
        repeat {
            reloadAgain = false
            await reloadOnce()
        } while reloadAgain && !stopping
        reloading = false
    }

    private func reloadOnce() async {
        guard !stopping else { return }
        let started = ContinuousClock.now
        let running = generation
        let read: ReloadReading
        do {
            read = try await Self.offTheEventLoops { [configPath, logger] in
                try ReloadReading.read(configPath, running: running, logger: logger)
            }
        } catch let error as ConfigError {
            for issue in error.issues { logger.error("reload: \(issue)") }
            logger.error("reload failed: \(error.issues.count) problem(s) in the new configuration; still serving the previous one")
            return
        } catch {
            logger.error("reload failed: \(error); still serving the previous configuration")
            return
        }
        for name in read.waiting {
            logger.warning("reload: \(name) changed: it takes effect at the next restart; the running value stays")
        }

        var bound: [Listener] = []
        do {
            let next = try await ServeGeneration.build(config: read.config, parts: read.parts, process: process,
                                                       logger: logger)
            let origin = next.config.origin
            var filter = filterListener
            if next.filterListen.movedFrom(filterListener.endpoint) {
                filter = try await Self.bindListener(next.filterListen, "filter", next.filter, origin, logger)
                bound.append(filter)
            }
            var mx = mxListener
            if let nextMX = next.mx, let current = mxListener, nextMX.listen.movedFrom(current.endpoint) {
                let listener = try await Self.bindListener(nextMX.listen, "mx", nextMX.service, origin, logger)
                bound.append(listener)
                mx = listener
            }
            // A renewed IMAP/POP3 pair is read now and served with the rest, or not at all.
            var renewal: MailboxAccessCertificates.Renewal?
            if let certificates = mailboxCertificates {
                renewal = try await Self.offTheEventLoops { [logger] in try certificates.read(logger: logger) }
            }
            // The last step that can fail: the reused scanner's databases, if freshclam changed
            // them. The engine swaps them itself and keeps the old ones on failure.
            if let engine = read.reusedScanner as? ClamAVEngine,
               try await Self.offTheEventLoops({ try engine.reloadIfChanged() }) {
                logger.notice("reload: ClamAV databases reloaded, \(engine.signatureCount) signatures")
            }

            // A stop that came while this reload was building wins: nothing new is served.
            guard !stopping else {
                for listener in bound { await listener.server.close() }
                return
            }
            // Nothing below fails: the swap.
            generation = next
            scanner.withLock { $0 = next.scanner }
            filterListener = await swap(filterListener, for: filter, serving: next.filter, name: "filter")
            if let nextMX = next.mx, let current = mxListener, let listener = mx {
                mxListener = await swap(current, for: listener, serving: nextMX.service, name: "MX")
                process.mx?.deliverer.replace(with: nextMX.afterQueue)
            }
            renewal?.install()
            let signatures = (next.scanner as? ClamAVEngine).map { ", \($0.signatureCount) signatures" } ?? ""
            var tls = next.mx.map { $0.service.tls == nil ? ", no STARTTLS" : ", STARTTLS certificate read" } ?? ""
            if let renewal, !renewal.isEmpty { tls += ", IMAP/POP3 certificates read" }
            let elapsed = ContinuousClock.now - started
            logger.notice("reloaded \(configPath): \(read.parts.ruleCount) rules\(signatures)\(tls) in \(Int(elapsed / .milliseconds(1))) ms")
        } catch {
            for listener in bound { await listener.server.close() }
            logger.error("reload failed: \(error); still serving the previous configuration")
        }
    }

    /// Puts `next` in the place of `current`: the same listener takes the new service; a
    /// listener bound anew starts serving and the old one stops accepting (its sessions end
    /// on their own).
    private func swap(_ current: Listener, for next: Listener, serving service: SMTPServer.Service,
                      name: String) async -> Listener {
        if next.server === current.server {
            current.server.reconfigure(service)
        } else {
            serve(next)
            await current.server.close()
            logger.notice("reload: \(name) now listening on \(SocketAddressText(next.server.localAddress, next.endpoint)) (was \(SocketAddressText(current.server.localAddress, current.endpoint)))")
        }
        return next
    }

    private static func bindListener(_ endpoint: EndpointText, _ section: String, _ service: SMTPServer.Service,
                                     _ origin: ConfigOrigin, _ logger: Logger) async throws(ListenerBindError) -> Listener {
        let server = try await ListenerBindError.naming(endpoint, section, origin) {
            try await SMTPServer.bind(host: endpoint.host, port: endpoint.port, service: service,
                                      group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        }
        return Listener(server: server, endpoint: endpoint)
    }

    /// Reading rule files and loading signatures blocks for seconds: on a thread of its own,
    /// never on the event loops or the cooperative pool that serve the sessions.
    private static func offTheEventLoops<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}

/// The configuration a reload goes on with, checked: read from the file, restart-only
/// settings put back (`waiting` names the ones that changed) and everything `serve` builds
/// validated, with the running scanner kept when `[virus]` did not change.
struct ReloadReading: Sendable {
    let config: MoatConfig
    let waiting: [String]
    let parts: StartupValidation.Parts
    /// The running scanner, when it is kept.
    let reusedScanner: (any VirusScanner)?

    static func read(_ path: String, running: ServeGeneration, logger: Logger) throws -> ReloadReading {
        let (config, waiting) = RestartOnlySettings.apply(try MoatConfig.load(path: path), running: running.config)
        let reused = config.virus == running.config.virus ? running.scanner : nil
        let parts = try StartupValidation.validate(config, purpose: .reload(tolerating: running.ruleErrors),
                                                   reusing: reused, logger: logger)
        return ReloadReading(config: config, waiting: waiting, parts: parts, reusedScanner: reused)
    }
}

extension EndpointText {
    /// Another address or port: the listener must be bound anew (LMTP or SMTP on the same
    /// socket is a setting of its sessions).
    func movedFrom(_ other: EndpointText) -> Bool {
        host != other.host || port != other.port
    }
}

/// A bound listener's address for the log: the real port when the config said 0.
struct SocketAddressText: CustomStringConvertible {
    let description: String

    init(_ address: SocketAddress, _ endpoint: EndpointText) {
        description = "\(address.ipAddress ?? endpoint.host):\(address.port ?? endpoint.port)"
    }
}
