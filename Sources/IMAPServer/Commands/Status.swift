import IMAP
import Mailstore

extension IMAPSession {
    /// STATUS (RFC 9051 §6.3.11) with SIZE and DELETED (RFC 8438, 9051), HIGHESTMODSEQ
    /// (RFC 7162) and APPENDLIMIT (RFC 7889).
    func status(_ tag: Tag, _ name: MailboxName, _ attributes: [StatusAttribute]) async -> Next {
        guard let storeName = storeName(tag, name) else { return .goOn }
        do {
            let items = try await statusItems(storeName, attributes)
            if attributes.contains(.highestModSeq) { await enableCondStore() }
            send(.status(name, items))
            ok(tag, "Status completed.")
        } catch {
            failed(tag, "STATUS", error)
        }
        return .goOn
    }

    func statusItems(_ storeName: String, _ attributes: [StatusAttribute]) async throws -> [StatusItem] {
        guard let opener else { return [] }
        let status = try await blocking { try opener.status(storeName) }
        return attributes.map { attribute in
            switch attribute {
            case .messages: StatusItem(attribute, UInt64(status.messages))
            case .recent: StatusItem(attribute, UInt64(status.recent))
            case .uidNext: StatusItem(attribute, UInt64(status.uidNext))
            case .uidValidity: StatusItem(attribute, UInt64(status.uidValidity))
            case .unseen: StatusItem(attribute, UInt64(status.unseen))
            case .deleted: StatusItem(attribute, UInt64(status.deleted))
            case .size: StatusItem(attribute, UInt64(status.size))
            case .highestModSeq: StatusItem(attribute, status.highestModSeq)
            case .appendLimit: StatusItem(attribute, UInt64(settings.appendLimit))
            }
        }
    }
}
