import IMAP
import Mailstore

extension IMAPSession {
    /// GETQUOTAROOT (RFC 9208 §4.3.2): every mailbox is under the user's one root, "User quota".
    func getQuotaRoot(_ tag: Tag, _ name: MailboxName) async -> Next {
        guard storeName(tag, name) != nil else { return .goOn }
        send(.quotaRoot(name, roots: [Array(Self.quotaRoot.utf8)]))
        await sendQuota()
        ok(tag, "Getquotaroot completed.")
        return .goOn
    }

    /// GETQUOTA (RFC 9208 §4.3.1).
    func getQuota(_ tag: Tag, root: [UInt8]) async -> Next {
        guard root == Array(Self.quotaRoot.utf8) else {
            no(tag, "Quota root doesn't exist.", code: .nonExistent)
            return .goOn
        }
        await sendQuota()
        ok(tag, "Getquota completed.")
        return .goOn
    }

    static let quotaRoot = "User quota"

    /// The directory's limit with the Maildir's use (maildirsize, as delivery keeps it):
    /// STORAGE in KiB; nothing when the user has no limit.
    private func sendQuota() async {
        guard let user, user.quotaBytes > 0 else { return }
        let quota = MaildirQuota(maildir: user.maildir(mailRoot: mailRoot), limit: QuotaLimit(bytes: user.quotaBytes))
        guard let status = try? await blocking({ try quota.quotaStatus() }) else { return }
        send(.quota(root: Array(Self.quotaRoot.utf8), [
            QuotaUsage(resource: "STORAGE", usage: UInt64(max(0, status.usedBytes)) / 1024, limit: UInt64(user.quotaBytes) / 1024),
        ]))
    }
}
