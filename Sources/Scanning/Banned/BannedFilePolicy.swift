import Foundation
import PCRE

/// amavisd-new's banned-file checks: attachment names against `banned_filename_re`-style
/// PCRE2 patterns, plus three checks that are always on:
///
/// - double extensions (`invoice.pdf.exe`, `report.PDF.EXE `), with amavisd-new's rule;
/// - the same name checks on every member of a ZIP attachment (and of stored nested ZIPs);
/// - executable content (PE, ELF, `#!` script) whose declared type or extension claims
///   something else, e.g. an `image/jpeg` that starts with `MZ`.
///
/// Pure and cheap: no I/O, no decompression, bounded work per item.
public struct BannedFilePolicy: Sendable {
    private let patterns: [PCRERegex]
    private let doubleExtension: PCRERegex

    /// amavisd-new's default double-extension rule (`$banned_filename_re`, "double extension").
    static let doubleExtensionPattern =
        #"(?i)^(?!cid:).*\.[^./]*[A-Za-z][^./]*\.\s*(exe|vbs|pif|scr|bat|cmd|com|cpl|dll)[.\s]*$"#

    /// A sensible `banned_filename_re` for configs that set none: the extensions
    /// amavisd-new's sample config bans outright plus today's common script droppers.
    public static let defaultPatterns = [
        #"(?i)\.(exe|vbs|vbe|pif|scr|bat|cmd|com|cpl|hta|js|jse|wsf|wsh|lnk|msi|ps1|reg)$"#
    ]

    /// - Parameter patterns: PCRE2 patterns matched against each attachment or member name,
    ///   e.g. `(?i)\.(exe|scr|pif|bat|cmd|com|vbs|js)$`. Put flags inline as in Perl.
    /// - Throws: `ScanError.invalidBannedPattern` naming the pattern and the error offset.
    public init(patterns: [String]) throws(ScanError) {
        var compiled: [PCRERegex] = []
        for pattern in patterns {
            do throws(PCREError) {
                compiled.append(try PCRERegex(pattern))
            } catch {
                throw .invalidBannedPattern(pattern: pattern, message: error.message, offset: error.offset)
            }
        }
        self.patterns = compiled
        // A constant pattern; a failure here is a programming error, not configuration.
        self.doubleExtension = try! PCRERegex(Self.doubleExtensionPattern)
    }

    /// Reasons `item` is banned, empty when it is not. Each reason is one line for the log
    /// and the notification: `.exe,document.pdf.exe`, `double extension,report.PDF.EXE `,
    /// `.scr,archive.zip | x.scr`, `type mismatch: declared image/jpeg, content is executable`.
    public func check(_ item: ScanItem) -> [String] {
        var reasons: [String] = []
        if let name = item.name, let reason = reason(forName: Array(name.utf8), shownAs: name) {
            reasons.append(reason)
        }
        for member in ZipMemberNames.members(of: item.bytes) {
            let names = [item.name ?? "archive"] + member.path.map { String(decoding: $0, as: UTF8.self) }
            if let reason = reason(forName: member.name, shownAs: names.joined(separator: " | ")) {
                reasons.append(reason)
            }
        }
        if let reason = typeMismatch(item) {
            reasons.append(reason)
        }
        return reasons
    }

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
            let ext = name.trimmingCharacters(in: .whitespaces).split(separator: ".").last.map { ".\($0)" } ?? name
            return "type mismatch: declared \(ext.lowercased()) (\(name)), content is executable"
        }
        return nil
    }
}
