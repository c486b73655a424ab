/// Anything that can tell whether bytes carry malware: libclamav in-process
/// (`ClamAVEngine`) or a clamd daemon (`ClamdClient`).
///
/// Contract: an empty result means clean. A scanner that cannot give an answer throws
/// `ScanError`; the caller must then tempfail the mail, never pass it, because "could
/// not scan" is not "clean".
public protocol VirusScanner: Sendable {
    /// The names of the viruses found in `bytes` (empty when clean).
    /// - Parameter name: a file name for logs and for scanners that use it as a hint.
    func scan(_ bytes: [UInt8], name: String?) async throws -> [String]

    /// The viruses in `bytes` and, where the scanner can tell, the files it unpacked and
    /// the parts it could not look into. The default has only the virus names (clamd).
    func inspect(_ bytes: [UInt8], name: String?) async throws -> ScanResult
}

extension VirusScanner {
    /// Scans one MIME leaf or raw message.
    public func scan(_ item: ScanItem) async throws -> [String] {
        try await scan(item.bytes, name: item.name)
    }

    public func inspect(_ bytes: [UInt8], name: String?) async throws -> ScanResult {
        ScanResult(virusNames: try await scan(bytes, name: name))
    }
}
