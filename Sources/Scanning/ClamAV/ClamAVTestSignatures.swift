import Foundation

/// Tells Moat's own test signatures (`Rules/clamav`, every name `Moat.Test.*`) apart from
/// a database that detects real malware, so a deployment that would scan with the test
/// signatures alone (freshclam never ran, `/var/lib/clamav` mistyped) is refused instead
/// of passing every virus as clean.
///
/// Files are judged by their content, not their name or place: a copy of `moat-test.ndb`
/// in `/var/lib/clamav` is still a test file, and a third-party `.ndb` next to Moat's is
/// real. freshclam's signed containers (`.cvd`, `.cld`, `.cud`) are always real.
public enum ClamAVTestSignatures {
    /// The name prefix of every signature Moat ships (libclamav reports it with `.UNOFFICIAL`).
    public static let namePrefix = "Moat.Test."

    /// Database files that detect nothing on their own: allow lists, ignore lists,
    /// phishing domain lists, configuration and certificate trust files.
    static let nonDetectingExtensions: Set<String> = [
        "fp", "sfp", "ign", "ign2", "cfg", "ftm", "cat", "crb", "pwdb", "pdb", "wdb", "gdb",
    ]
    static let signedContainerExtensions: Set<String> = ["cvd", "cld", "cud"]

    /// Whether `databases` (directories or files, missing ones skipped, as the engine loads
    /// them) hold a file with at least one detection signature that is not Moat's; reads
    /// files only until the first such.
    public static func hasRealDatabase(in databases: [String]) -> Bool {
        ClamAVCompiledEngine.databaseFiles(in: databases).contains(where: isRealDatabase)
    }

    /// Whether `file` detects anything besides Moat's test signatures.
    static func isRealDatabase(_ file: String) -> Bool {
        let ext = (file as NSString).pathExtension.lowercased()
        if signedContainerExtensions.contains(ext) { return true }
        if nonDetectingExtensions.contains(ext) { return false }
        // Unreadable as text: a binary format (e.g. bytecode `.cbc`) Moat never ships.
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return true }
        return text.split(whereSeparator: \.isNewline).contains { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return false }
            return !trimmed.split(whereSeparator: { $0 == ":" || $0 == "=" }).contains { $0.hasPrefix(namePrefix) }
        }
    }
}
