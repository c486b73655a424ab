import Foundation
import GRDB
import MoatCore

extension QuarantineStore {
    /// Files younger than this are never swept as orphans, whatever the cutoff: a
    /// concurrent `store` may be between writing its file and committing its row.
    static let orphanGracePeriod: TimeInterval = 3600

    /// Removes every entry quarantined before `cutoff` (file and row), then sweeps the
    /// directory for leftovers of interrupted stores (temporary files, and message files
    /// without an index row) last modified before `cutoff` and more than an hour ago.
    ///
    /// - Parameter progress: told `(0, total)` once the entries to remove are known, then
    ///   `(n, total)` after each (a terminal's progress line).
    /// - Returns: how many index entries were removed.
    /// - Throws: the first failure, after removing everything it could; an entry whose
    ///   file could not be removed keeps its row, so a later purge retries it.
    public func purge(olderThan cutoff: Date, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> Int {
        let victims = try indexed("purge") {
            try pool.read { db in try QuarantineIndex.fetchOlder(than: cutoff, in: db) }
        }
        var removable: [String] = []
        var firstError: (any Error)?
        progress(0, victims.count)
        for (done, victim) in zip(1..., victims) {
            defer { progress(done, victims.count) }
            // A category this version does not know: its file name is unknown, leave it.
            guard let category = QuarantineCategory(rawValue: victim.category) else { continue }
            do {
                let path = try messagePath(id: victim.id, category: category)
                try QuarantineError.mappingIO { try DurableFile.remove(path) }
                removable.append(victim.id)
            } catch {
                firstError = firstError ?? error
            }
        }
        let removed = try indexed("purge") {
            try pool.write { db in try QuarantineIndex.delete(removable, in: db) }
        }
        let sweepCutoff = min(cutoff.timeIntervalSince1970,
                              Date().timeIntervalSince1970 - Self.orphanGracePeriod)
        do {
            try sweepLeftovers(modifiedBefore: sweepCutoff)
        } catch {
            firstError = firstError ?? error
        }
        if let firstError { throw firstError }
        return removed
    }

    /// Removes temporary files and unindexed message files older than `cutoff` (Unix
    /// seconds). Names that are neither are never touched.
    private func sweepLeftovers(modifiedBefore cutoff: Double) throws {
        let names = try QuarantineError.mappingIO { try DurableFile.entries(of: directory) }
        var firstError: (any Error)?
        for name in names {
            let path = "\(directory)/\(name)"
            guard let modified = DurableFile.modificationTime(path), modified < cutoff else { continue }
            do {
                if name.hasPrefix(".tmp.") {
                    try QuarantineError.mappingIO { try DurableFile.remove(path) }
                } else if let (category, id) = Self.parseFileName(name), try !isIndexed(id, category) {
                    try QuarantineError.mappingIO { try DurableFile.remove(path) }
                }
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }

    private func isIndexed(_ id: String, _ category: QuarantineCategory) throws -> Bool {
        try entry(id)?.category == category
    }

    /// `(category, id)` for a name of the form `<category prefix>-<mail ID>`.
    static func parseFileName(_ name: String) -> (QuarantineCategory, String)? {
        guard let dash = name.firstIndex(of: "-"),
              let category = QuarantineCategory(filePrefix: name[..<dash]) else { return nil }
        let id = String(name[name.index(after: dash)...])
        return MailID.isWellFormed(id) ? (category, id) : nil
    }
}
