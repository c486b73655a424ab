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
}

extension VirusScanner {
    /// Scans one MIME leaf or raw message.
    public func scan(_ item: ScanItem) async throws -> [String] {
        try await scan(item.bytes, name: item.name)
    }
}
