/// Turns what libclamav said about one scan (its verdict and the files it inspected) into
/// a `ScanResult`: real viruses apart from the "could not look inside" heuristics, and
/// every part that was not unpacked, with where it is.
///
/// Three signs of undecipherable content, because libclamav gives no single one:
/// - the heuristics `Heuristics.Encrypted.*` and `Heuristics.Limits.Exceeded.*` (reported
///   only when nothing else matched: they are "potentially unwanted" alerts), placed on
///   the archives left with no member unpacked, or on the item when there are none;
/// - an archive of a type this libclamav cannot unpack (RAR in Debian's build);
/// - a member exactly MaxFileSize long: libclamav trims a larger one to that size
///   without an alert ("cli_unzip: trimming output size to maxfilesize").
///
/// An archive with nothing unpacked is not by itself a sign: libclamav skips members of
/// five bytes or less, so a zip of two one-line notes looks the same.
struct ClamAVFindings {
    var maxFileSize: Int64
    var options: ClamAVScanOptions
    var typesNotUnpacked: Set<String> = []

    /// At most this many undecipherable parts are listed; a zip bomb must not make the
    /// log line as long as the bomb.
    static let maxListed = 10

    func result(virusName: String?, files: [ClamAVInspectedFile]) -> ScanResult {
        let contained = files.filter { $0.level > 0 }.map { ContainedFile(path: $0.path, type: $0.type, size: $0.size) }
        var heuristic: String?
        if let virusName {
            guard isUndecipherableHeuristic(virusName) else {
                return ScanResult(virusNames: [virusName], containedFiles: contained)
            }
            heuristic = virusName
        }
        var found: [Undecipherable] = []
        for (index, file) in files.enumerated() {
            if typesNotUnpacked.contains(file.type) {
                found.append(Undecipherable(reason: "\(file.type) not unpacked", path: file.path))
            } else if let heuristic, Self.archiveTypes.contains(file.type),
                !(index + 1 < files.count && files[index + 1].level > file.level)
            {
                found.append(Undecipherable(reason: heuristic, path: file.path))
            }
        }
        if let heuristic, !found.contains(where: { $0.reason == heuristic }) {
            found.insert(Undecipherable(reason: heuristic), at: 0)
        }
        for file in files where file.level > 0 && Int64(file.size) >= maxFileSize {
            found.append(Undecipherable(reason: "exceeds MaxFileSize (\(maxFileSize) bytes)", path: file.path))
        }
        if found.count > Self.maxListed {
            let more = found.count - Self.maxListed
            found = Array(found.prefix(Self.maxListed)) + [Undecipherable(reason: "\(more) more")]
        }
        return ScanResult(virusNames: [], containedFiles: contained, undecipherable: found)
    }

    /// Heuristics that say "not looked into" rather than "malicious", unless the admin
    /// asked for them as alerts (clamd's AlertEncrypted / AlertExceedsMax).
    private func isUndecipherableHeuristic(_ name: String) -> Bool {
        (name.hasPrefix("Heuristics.Encrypted.") && !options.alertEncrypted)
            || (name.hasPrefix("Heuristics.Limits.Exceeded.") && !options.alertExceedsMax)
    }

    /// libclamav types whose whole purpose is to hold other files: where a heuristic says
    /// something was not looked into, one of these with nothing unpacked is where.
    static let archiveTypes: Set<String> = [
        "CL_TYPE_ZIP", "CL_TYPE_RAR", "CL_TYPE_7Z", "CL_TYPE_ARJ", "CL_TYPE_MSCAB", "CL_TYPE_GZ", "CL_TYPE_BZ",
        "CL_TYPE_XZ", "CL_TYPE_POSIX_TAR", "CL_TYPE_OLD_TAR", "CL_TYPE_CPIO_OLD", "CL_TYPE_CPIO_ODC",
        "CL_TYPE_CPIO_NEWC", "CL_TYPE_CPIO_CRC", "CL_TYPE_EGG", "CL_TYPE_ALZ", "CL_TYPE_LHA_LZH", "CL_TYPE_XAR",
        "CL_TYPE_ISO9660", "CL_TYPE_UDF", "CL_TYPE_DMG",
    ]
}
