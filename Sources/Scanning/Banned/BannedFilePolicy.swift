import Foundation
import PCRE

/// amavisd-new's banned-file checks: attachment names against `banned_filename_re`-style
/// PCRE2 patterns, plus three checks that are always on:
///
/// - double extensions (`invoice.pdf.exe`, `report.PDF.EXE `), with amavisd-new's rule;
/// - the same name checks on every file inside an attachment, to `maxDepth` levels: the
///   files libclamav unpacked during the virus scan (zip, rar, 7z, tar, gz, bz2, cab, ...,
///   `ScanResult.containedFiles`), and the members of ZIP archives as read by
///   `ZipMemberNames` (which also sees names libclamav does not report: those of an
///   encrypted ZIP, and central-directory names that differ from the local headers);
/// - executable content (PE, ELF, `#!` script) whose declared type or extension claims
///   something else, e.g. an `image/jpeg` that starts with `MZ`, or a `x.pdf` inside a
///   zip that libclamav typed as a Windows executable.
///
/// Pure and cheap: no I/O, no decompression, bounded work per item.
public struct BannedFilePolicy: Sendable {
    private let patterns: [PCRERegex]
    private let doubleExtension: PCRERegex
    /// How many archive levels deep member names are checked (1: members of the attachment).
    public let maxDepth: Int

    /// amavisd-new's default double-extension rule (`$banned_filename_re`, "double extension").
    static let doubleExtensionPattern =
        #"(?i)^(?!cid:).*\.[^./]*[A-Za-z][^./]*\.\s*(exe|vbs|pif|scr|bat|cmd|com|cpl|dll)[.\s]*$"#

    /// A sensible `banned_filename_re` for configs that set none: the extensions
    /// amavisd-new's sample config bans outright plus today's common script droppers.
    public static let defaultPatterns = [
        #"(?i)\.(exe|vbs|vbe|pif|scr|bat|cmd|com|cpl|hta|js|jse|wsf|wsh|lnk|msi|ps1|reg)$"#
    ]

    /// - Parameters:
    ///   - patterns: PCRE2 patterns matched against each attachment or member name,
    ///     e.g. `(?i)\.(exe|scr|pif|bat|cmd|com|vbs|js)$`. Put flags inline as in Perl.
    ///   - maxDepth: archive levels whose member names are checked; libclamav's
    ///     MaxRecursion (17) by default, past which it does not unpack either.
    /// - Throws: `ScanError.invalidBannedPattern` naming the pattern and the error offset.
    public init(patterns: [String], maxDepth: Int = ClamAVLimits.clamdDefaults.maxRecursion) throws(ScanError) {
        var compiled: [PCRERegex] = []
        for pattern in patterns {
            do throws(PCREError) {
                compiled.append(try PCRERegex(pattern))
            } catch {
                throw .invalidBannedPattern(pattern: pattern, message: error.message, offset: error.offset)
            }
        }
        self.patterns = compiled
        self.maxDepth = max(1, maxDepth)
        // A constant pattern; a failure here is a programming error, not configuration.
        self.doubleExtension = try! PCRERegex(Self.doubleExtensionPattern)
    }

    /// Reasons `item` is banned, empty when it is not. Each reason is one line for the log
    /// and the notification: `.exe,document.pdf.exe`, `double extension,report.PDF.EXE `,
    /// `.scr,archive.zip | x.scr`, `type mismatch: declared image/jpeg, content is executable`.
    /// - Parameter contents: what the virus scanner found inside `item`, if it reports that.
    public func check(_ item: ScanItem, contents: ScanResult? = nil) -> [String] {
        var reasons: [String] = []
        if let name = item.name, let reason = reason(forName: Array(name.utf8), shownAs: name) {
            reasons.append(reason)
        }
        for member in ZipMemberNames.members(of: item.bytes, maxDepth: maxDepth) {
            let shown = ArchivePath.display(item: item.name, path: member.path.map { String(decoding: $0, as: UTF8.self) })
            if let reason = reason(forName: member.name, shownAs: shown) {
                reasons.append(reason)
            }
        }
        for file in contents?.containedFiles ?? [] where file.depth <= maxDepth {
            let shown = ArchivePath.display(item: item.name, path: file.path)
            if let name = file.name, let reason = reason(forName: Array(name.utf8), shownAs: shown) {
                reasons.append(reason)
            } else if let reason = containedTypeMismatch(file, shownAs: shown) {
                reasons.append(reason)
            }
        }
        if let reason = typeMismatch(item) {
            reasons.append(reason)
        }
        var seen = Set<String>()
        return reasons.filter { seen.insert($0).inserted }
    }

    /// Parts of `item` no check could look into, one line each:
    /// `undecipherable: Heuristics.Encrypted.Zip, invoices.zip`. Empty when everything
    /// was seen (or the scanner does not say, as clamd).
    public func undecipherable(_ item: ScanItem, contents: ScanResult?) -> [String] {
        guard let contents else { return [] }
        var notes = contents.undecipherable.map {
            "undecipherable: \($0.reason), \(ArchivePath.display(item: item.name, path: $0.path))"
        }
        if let deep = contents.containedFiles?.first(where: { $0.depth > maxDepth }) {
            let shown = ArchivePath.display(item: item.name, path: Array(deep.path.prefix(maxDepth)))
            notes.append("undecipherable: deeper than max_depth \(maxDepth), \(shown)")
        }
        return notes
    }

    /// A file unpacked from an archive whose name says "document" while libclamav typed it
    /// as an executable: the same lie `typeMismatch` catches on attachments.
    private func containedTypeMismatch(_ file: ContainedFile, shownAs shown: String) -> String? {
        guard let kind = Self.executableTypes[file.type], let name = file.name,
            ExecutableContent.claim(ofName: name, for: kind) == .notExecutable
        else { return nil }
        return "type mismatch: declared \(Self.declaredExtension(name)) (\(shown)), content is executable"
    }

    /// libclamav's types for the executables `ExecutableContent` knows.
    private static let executableTypes: [String: ExecutableContent.Kind] = [
        "CL_TYPE_MSEXE": .windowsPE, "CL_TYPE_ELF": .elf,
    ]

    /// The first rule `name` breaks: a configured pattern (reported with the text it
    /// matched, like amavisd-new's `.exe,name`), else the double-extension rule.
    private func reason(forName name: [UInt8], shownAs shown: String) -> String? {
        for pattern in patterns {
            if let range = pattern.firstMatch(in: name) {
                let matched = String(decoding: name[range], as: UTF8.self)
                return "\(matched.isEmpty ? "banned" : matched),\(shown)"
            }
        }
        if doubleExtension.firstMatch(in: name) != nil {
            return "double extension,\(shown)"
        }
        return nil
    }

    /// Executable content under a non-executable label. Only a label that positively claims
    /// "not executable" counts; `application/octet-stream` or no extension claims nothing,
    /// and an honest executable label anywhere (type or extension) clears the item.
    private func typeMismatch(_ item: ScanItem) -> String? {
        guard let kind = ExecutableContent.kind(of: item.bytes) else { return nil }
        let typeClaim = item.declaredType.map { ExecutableContent.claim(ofType: $0, for: kind) } ?? .unknown
        let nameClaim = item.name.map { ExecutableContent.claim(ofName: $0, for: kind) } ?? .unknown
        if typeClaim == .executable || nameClaim == .executable { return nil }
        if typeClaim == .notExecutable, let declared = item.declaredType {
            let type = declared.split(separator: ";", maxSplits: 1).first.map(String.init) ?? declared
            return "type mismatch: declared \(type.trimmingCharacters(in: .whitespaces)), content is executable"
        }
        if nameClaim == .notExecutable, let name = item.name {
            return "type mismatch: declared \(Self.declaredExtension(name)) (\(name)), content is executable"
        }
        return nil
    }

    /// `.pdf` for `Scan.PDF `: the extension a name claims, as reasons show it.
    private static func declaredExtension(_ name: String) -> String {
        let ext = name.trimmingCharacters(in: .whitespaces).split(separator: ".").last.map { ".\($0)" } ?? name
        return ext.lowercased()
    }
}
