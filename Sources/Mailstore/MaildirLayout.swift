#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MoatCore

/// Creates the directories of a Maildir (and of one Maildir++ folder) the way Dovecot
/// expects them: `cur`, `new`, `tmp` at mode 0700, and in a folder the empty
/// `maildirfolder` file that tells Maildir++ readers (Courier, Dovecot's quota) that this
/// directory is a folder and its parent is the Maildir.
enum MaildirLayout {
    static let directoryMode: mode_t = 0o700
    static let subdirectories = ["cur", "new", "tmp"]

    /// Creates whatever is missing; existing directories are left as they are.
    /// - Throws: `MailstoreError.io`, e.g. `ENOTDIR` when a path component is a file.
    static func create(for mailbox: MaildirPath, folder: MaildirFolder, hostname: String) throws {
        try MailstoreError.mappingIO {
            // The INBOX always exists: readers treat a folder without its parent
            // Maildir as broken.
            for name in subdirectories {
                try DurableFile.makeDirectories("\(mailbox.maildir)/\(name)", mode: directoryMode)
            }
            guard folder != .inbox else { return }
            let directory = mailbox.directory(of: folder)
            for name in subdirectories {
                try DurableFile.makeDirectories("\(directory)/\(name)", mode: directoryMode)
            }
            let marker = MaildirName.unique(size: 0, virtualSize: 0, hostname: hostname)
            do {
                try DurableFile.create("\(directory)/maildirfolder",
                                       temporaryPath: "\(directory)/tmp/\(marker.text).maildirfolder", chunks: [])
            } catch let failure as SystemCallError where failure.errno == EEXIST {
                return  // a concurrent first delivery made it
            }
        }
    }
}
