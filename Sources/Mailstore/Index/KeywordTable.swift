import MoatCore

/// A folder's `dovecot-keywords` file, shared with Dovecot: which keyword each Maildir
/// info letter `a`…`z` stands for.
///
///     0 $Forwarded
///     1 Junk
///
/// A letter, once given, keeps its keyword (files carry it); a keyword needing a new letter
/// is added and the file rewritten whole (temporary file, rename).
struct KeywordTable {
    static let fileName = "dovecot-keywords"
    static let letters = Array("abcdefghijklmnopqrstuvwxyz")

    let path: String
    private(set) var names: [String?]

    /// Reads `<directory>/dovecot-keywords`; a missing file is an empty table, and lines
    /// that do not parse are skipped (Dovecot does the same).
    init(directory: String) throws {
        path = "\(directory)/\(Self.fileName)"
        names = Array(repeating: nil, count: Self.letters.count)
        let bytes: [UInt8]
        do {
            bytes = try DurableFile.contents(of: path)
        } catch let failure as SystemCallError where failure.errno == ENOENT {
            return
        } catch let failure as SystemCallError {
            throw MailboxError.io(operation: failure.operation, path: failure.path, errno: failure.errno)
        }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let index = Int(parts[0]), names.indices.contains(index) else { continue }
            names[index] = String(parts[1])
        }
    }

    func name(forLetter letter: Character) -> String? {
        guard let index = Self.letters.firstIndex(of: letter) else { return nil }
        return names[index]
    }

    /// True if `name` already has a letter.
    func hasLetter(_ name: String) -> Bool { names.contains { $0?.lowercased() == name.lowercased() } }

    /// The letter of `name` (compared case-insensitively), given one if there is room;
    /// nil when all 26 are taken.
    mutating func letter(for name: String) throws -> Character? {
        if let index = names.firstIndex(where: { $0?.lowercased() == name.lowercased() }) {
            return Self.letters[index]
        }
        guard let free = names.firstIndex(where: { $0 == nil }) else { return nil }
        names[free] = name
        try save()
        return Self.letters[free]
    }

    private func save() throws {
        let text = names.enumerated().compactMap { index, name in name.map { "\(index) \($0)\n" } }.joined()
        let temporary = "\(path).\(MaildirName.unique(size: 0, virtualSize: 0).text).tmp"
        try MailboxError.mappingIO {
            try DurableFile.create(path, temporaryPath: temporary, chunks: [Array(text.utf8)], publish: .replace)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
