import Filter
import Logging
import MoatCore
import MX
import NIOCore
import Quarantine
import Scanning
import SMTP

/// Everything `moat serve` builds from one reading of the configuration and swaps as a
/// whole on a reload: the scanner, rules and policies behind both listeners, their
/// settings and STARTTLS context, and the filter the queue runs on mail the MX took past
/// its filter budget. Sessions and delivery attempts that began on a generation finish on it.
struct ServeGeneration: Sendable {
    let config: MoatConfig
    let scanner: any VirusScanner
    /// The rule errors this generation runs with (those rules skipped).
    let ruleErrors: Set<String>
    let filterListen: EndpointText
    let filter: SMTPServer.Service
    /// nil when `[mx] enabled = false`.
    let mx: MX?

    struct MX: Sendable {
        let listen: EndpointText
        let service: SMTPServer.Service
        let afterQueue: PendingFilterDeliverer
    }

    /// Builds a generation from parts `StartupValidation` has checked.
    static func build(config: MoatConfig, parts: StartupValidation.Parts, process: ServeProcess,
                      logger: Logger) async throws -> ServeGeneration {
        var checker = parts.checker
        let checks = config.limits.contentChecks
        checker.slots = ContentCheckSlots(count: checks > 0 ? checks : 4 * System.coreCount)
        let filter = try FilterListener.service(config: config, checker: checker, reinject: parts.reinject,
                                                quarantine: process.quarantine, messageMemory: process.messageMemory,
                                                logger: logger)
        var mx: MX?
        if let mxParts = parts.mx, let mxService = process.mx {
            let (service, afterQueue) = await mxService.service(
                config: config, parts: mxParts, checker: checker, quarantine: process.quarantine,
                messageMemory: process.messageMemory, logger: logger)
            mx = MX(listen: try EndpointText(parsing: config.mx.listen), service: service, afterQueue: afterQueue)
        }
        return ServeGeneration(config: config, scanner: parts.scanner, ruleErrors: parts.ruleErrors,
                               filterListen: try EndpointText(parsing: config.filter.listen), filter: filter, mx: mx)
    }
}

/// What `moat serve` opens once and keeps across reloads (see `RestartOnlySettings`).
struct ServeProcess: Sendable {
    let quarantine: QuarantineStore
    let messageMemory: MessageMemoryBudget
    /// nil when `[mx] enabled = false`.
    let mx: MXService?
}
