import Foundation
import GRDB

/// What each recipient's own view of the quarantine needs (the IMAP Quarantine folder):
/// the messages held for their addresses, less those they deleted from their view or had
/// released to them. A user's deletion hides the message from that user only; the entry
/// stays for the other recipients and the admin until retention purges it.
extension QuarantineStore {
    /// Every address the quarantine holds mail for (the blocked recipients), each once,
    /// lowercased.
    public func blockedRecipients() throws -> [String] {
        try indexed("list recipients") {
            try pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT address FROM recipient ORDER BY 1") }
        }
    }

    /// Entries quarantined for any of `addresses` (the user's own and those that reach them,
    /// compared without case) that `user` has not deleted from their view and that were not
    /// released to them (to their own address or, by an admin's release to the original
    /// recipients, to one of `addresses`), oldest first.
    public func entries(addressedTo addresses: Set<String>, shownTo user: String) throws -> [QuarantineEntry] {
        let lowered = Set(addresses.map { $0.lowercased() })
        guard !lowered.isEmpty else { return [] }
        let list = String(decoding: try JSONEncoder().encode(lowered.sorted()), as: UTF8.self)
        let entries = try indexed("list entries for \(user)") {
            try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT q.* FROM quarantine q
                    WHERE q.mail_id IN (SELECT mail_id FROM recipient WHERE address IN (SELECT value FROM json_each(?)))
                      AND NOT EXISTS (SELECT 1 FROM dismissal d WHERE d.mail_id = q.mail_id AND d.user = lower(?))
                    ORDER BY q.time, q.rowid
                    """, arguments: [list, user]).map(QuarantineIndex.entry(from:))
            }
        }
        let theirs = lowered.union([user.lowercased()])
        return entries.filter { entry in !(entry.releasedTo ?? []).contains { theirs.contains($0.lowercased()) } }
    }

    /// Records that `user` deleted `ids` from their view of the quarantine. IDs without an
    /// entry are skipped (retention may have purged them meanwhile).
    public func dismiss(_ ids: [String], by user: String) throws {
        for id in ids { try validate(id) }
        let now = Date().timeIntervalSince1970
        try indexed("dismiss for \(user)") {
            try pool.write { db in
                for id in ids {
                    try db.execute(sql: """
                        INSERT OR IGNORE INTO dismissal (mail_id, user, time)
                        SELECT mail_id, lower(?), ? FROM quarantine WHERE mail_id = ?
                        """, arguments: [user, now, id])
                }
            }
        }
    }
}
