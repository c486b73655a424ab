import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `dovecot.conf` for running Dovecot's own tools (`doveadm`, `imap`) on a test Maildir
/// under `root`, without a running Dovecot: its base and log directories in `root`, Maildir++
/// with "." as separator. Dovecot refuses mail access as root, so a test run as root lends
/// the whole tree to nobody (uid/gid 65534), which the config then names as the mail user.
public enum PrivateDovecotConfig {
    /// Writes `<root>/dovecot.conf` for the Maildir at `maildir` (and hands the tree over
    /// when running as root); returns the config's path.
    @discardableResult
    public static func write(root: String, maildir: String) throws -> String {
        let (uid, gid) = getuid() == 0 ? (uid_t(65534), gid_t(65534)) : (getuid(), getgid())
        let path = "\(root)/dovecot.conf"
        try Data("""
            mail_location = maildir:\(maildir)
            log_path = \(root)/dovecot.log
            base_dir = \(root)/run
            ssl = no
            mail_uid = \(uid)
            mail_gid = \(gid)
            first_valid_uid = \(uid)
            first_valid_gid = \(gid)
            namespace inbox {
              inbox = yes
              separator = .
            }

            """.utf8).write(to: URL(fileURLWithPath: path))
        if getuid() == 0 {
            for entry in [root] + (FileManager.default.subpaths(atPath: root) ?? []).map({ "\(root)/\($0)" })
            where chown(entry, uid, gid) != 0 {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: entry])
            }
        }
        return path
    }
}
