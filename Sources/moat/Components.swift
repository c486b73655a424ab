import Filter
import Logging
import MoatCore
import Quarantine
import Scanning
import SMTP
import SpamEngine

/// Builds the long-lived parts from the configuration; shared by `serve` and `scan`.
enum Components {
    static func virusScanner(_ config: MoatConfig, logger: Logger) throws -> any VirusScanner {
        switch config.virus.engine {
        case .libclamav:
            let v = config.virus
            return try ClamAVEngine(
                databases: v.databases,
                limits: ClamAVLimits(maxScanSize: Int64(v.maxScanSize), maxFileSize: Int64(v.maxFileSize),
                                     maxRecursion: v.maxRecursion, maxFiles: v.maxFiles,
                                     maxScanTime: Int(v.maxScanTime.seconds * 1000)),
                logger: logger)
        case .clamd:
            return try ClamdClient(config.virus.clamdSocket, logger: logger)
        }
    }

    static func checker(_ config: MoatConfig, scanner: any VirusScanner) throws -> ContentChecker {
        let policy = FilterPolicy(config: config)
        return ContentChecker(virusScanner: scanner, banned: try BannedFilePolicy(patterns: config.banned.filenames),
                              spam: GTUBECheck(), levels: policy.levels)
    }

    static func quarantine(_ config: MoatConfig) throws -> QuarantineStore {
        try QuarantineStore(directory: config.quarantine.directory, indexPath: config.quarantine.index)
    }

    static func relay(_ config: MoatConfig, logger: Logger) throws -> SMTPRelay {
        SMTPRelay(endpoint: try SMTPEndpoint(parsing: config.filter.reinject), heloName: config.filter.hostname,
                  logger: logger)
    }
}
