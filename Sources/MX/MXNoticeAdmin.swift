import Directory
import Filter
import Logging
import MoatCore

/// The MX's admin for virus and banned notices when `[notify] admin` is not set:
/// `postmaster@` the first local domain (RFC 5321 §4.5.1 requires every domain to have
/// one), read from the directory when a notice goes out, so domains added after start-up
/// count. Without it the gateway's default, `postmaster@localhost`, would be relayed to a
/// host that is not there, and the notice would reach nobody.
public enum MXNoticeAdmin {
    /// The lookup for `FilterPolicy.admin`.
    public static func firstLocalPostmaster(store: DirectoryStore, pool: BlockingWorkPool) -> NoticeAdmin {
        .lookedUp {
            let domain = try? await pool.run { try store.firstLocalDomain() }
            return domain.map { EmailAddress(uncheckedLocalPart: "postmaster", domain: $0.name) }
        }
    }

    /// Why notices to `admin` would reach nobody today, or nil when they are delivered: an
    /// address in a local domain that no mailbox or alias takes, or no local domain at all
    /// for the default. Said loudly at start-up (it is not fatal: the admin may add the
    /// domain or alias next).
    /// The RCPT check answers it: what the MX would refuse at RCPT would not be delivered.
    public static func problem(with admin: NoticeAdmin, recipients: DirectoryRecipients) async -> String? {
        guard let address = await admin.address() else {
            if case .nobody = admin { return nil }
            return "virus and banned notices go to postmaster@ the first local domain, and there is none yet: "
                + "add one (moat domain add) and give it a postmaster"
        }
        switch try? await recipients.recipientExists(address, size: nil) {
        case .unknown?, .unusable?:
            return "virus and banned notices go to \(address.bracketed), which has no mailbox or alias here: "
                + "moat alias add \(address) <mailbox>"
        default:
            return nil // delivered, over quota for now, or a lookup that failed (not the address's fault)
        }
    }
}
