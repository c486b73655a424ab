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

    /// Creates whatever is missing. With `permissions` (`[delivery] maildir_*`), the domain
    /// and user directories, the Maildir and the folder get them, existing or not: this runs
    /// only on a mailbox's first delivery (to it or to a new folder), so an IMAP server can
    /// read the whole path from the first message on.
    /// - Throws: `MailstoreError.io`, e.g. `ENOTDIR` when a path component is a file.
    static func create(for mailbox: MaildirPath, folder: MaildirFolder, hostname: String,
                       permissions: FilePermissions? = nil) throws {
        try MailstoreError.mappingIO {
            try makeDirectories(for: mailbox, folder: folder, hostname: hostname, permissions: permissions)
            try applyPermissions(permissions, mailbox: mailbox, folder: folder)
        }
    }

    private static func makeDirectories(for mailbox: MaildirPath, folder: MaildirFolder, hostname: String,
                                        permissions: FilePermissions?) throws {
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
                                   temporaryPath: "\(directory)/tmp/\(marker.text).maildirfolder", chunks: [],
                                   permissions: permissions?.forFiles)
        } catch let failure as SystemCallError where failure.errno == EEXIST {
            return  // a concurrent first delivery made it
        }
    }

    /// Owner, group and mode on every directory of the path below the mail root.
    private static func applyPermissions(_ permissions: FilePermissions?, mailbox: MaildirPath,
                                         folder: MaildirFolder) throws {
        guard let permissions else { return }
        var directories = ["\(mailbox.root)/\(mailbox.domain)", "\(mailbox.root)/\(mailbox.domain)/\(mailbox.user)",
                           mailbox.maildir]
        directories += subdirectories.map { "\(mailbox.maildir)/\($0)" }
        if folder != .inbox {
            let directory = mailbox.directory(of: folder)
            directories += [directory] + subdirectories.map { "\(directory)/\($0)" }
        }
        for path in directories { try permissions.apply(path: path) }
    }
}
