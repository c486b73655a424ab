import MoatCore

/// The Maildir++ quota of one Maildir, kept in its `maildirsize` file as Courier, Dovecot
/// (`quota = maildir`), maildrop and Exim do, so all of them agree on what is used:
///
///     10485760S,1000C        limits (first line)
///     2048 1                 then one "<bytes> <count>" line per change, summed
///     -512 -1
///
/// The file is only a cache. Following the Maildir++ spec (Courier README.maildirquota)
/// it is rebuilt from a scan of the messages when it is missing or unreadable, when it has
/// grown to 5120 bytes or more, and when it says the Maildir is over quota but was last
/// rebuilt more than 15 minutes ago (deletions by other programs may not have been
/// recorded). It is also rebuilt when its limits differ from the configured ones, as
/// Dovecot does, so a changed quota takes effect at once.
public struct MaildirQuota: Sendable {
    /// The Maildir root (`…/Maildir`); folders are counted too.
    public let maildir: String
    public let limit: QuotaLimit

    static let maximumFileSize: Int64 = 5120
    static let staleAge: Double = 15 * 60

    public init(maildir: String, limit: QuotaLimit) {
        self.maildir = maildir
        self.limit = limit
    }

    public var path: String { "\(maildir)/maildirsize" }

    /// Current usage, from `maildirsize` or a fresh scan when the file cannot be trusted.
    /// - Throws: `MailstoreError.io` if the Maildir cannot be read or the rebuilt file
    ///   cannot be written.
    public func quotaStatus(now: Double = DurableFile.currentTime()) throws -> QuotaStatus {
        try status(now: now, rebuildingIfStale: { $0.isOver })
    }

    /// True if delivering `size` more bytes would go over quota: the RCPT-time check
    /// (452 4.2.2) and the one before each delivery. A stale file that says "no" is
    /// rebuilt first, so deletions it missed do not refuse mail.
    public func wouldExceed(size: Int64, now: Double = DurableFile.currentTime()) throws -> Bool {
        try status(beforeAdding: size, now: now).wouldExceed(size: size)
    }

    /// The status to judge a delivery of `size` bytes by (rebuilt if stale and refusing).
    func status(beforeAdding size: Int64, now: Double = DurableFile.currentTime()) throws -> QuotaStatus {
        try status(now: now, rebuildingIfStale: { $0.wouldExceed(size: size) })
    }

    /// Records one delivered message of `size` bytes: appends `<size> 1` with `O_APPEND`,
    /// so concurrent deliveries never overwrite each other's line. A missing file is left
    /// missing; the next status check rebuilds it from the messages, which include this one.
    public func recordDelivery(size: Int64) throws {
        try MailstoreError.mappingIO { try DurableFile.append(Array("\(size) 1\n".utf8), to: path) }
    }

    /// Rebuilds `maildirsize` from the messages in `cur/` and `new/` of the Maildir and
    /// every Maildir++ folder (`tmp/` holds nothing delivered yet).
    ///
    /// As the spec asks, the scan is repeated (up to three times) while a counted
    /// directory changed during it, so a delivery that lands mid-scan is not lost.
    @discardableResult
    public func recalculate() throws -> QuotaStatus {
        try MailstoreError.mappingIO {
            var status = QuotaStatus(usedBytes: 0, usedMessages: 0, limit: limit)
            for _ in 0..<3 {
                let directories = try countedDirectories()
                let before = directories.map { DurableFile.modificationTime($0) }
                status = QuotaStatus(usedBytes: 0, usedMessages: 0, limit: limit)
                for directory in directories { try add(directory, to: &status) }
                if directories.map({ DurableFile.modificationTime($0) }) == before { break }
            }
            let text = "\(limit.headerLine)\n\(status.usedBytes) \(status.usedMessages)\n"
            let temporary = "\(maildir)/tmp/\(MaildirName.unique(size: text.utf8.count, virtualSize: 0).text).maildirsize"
            try DurableFile.create(path, temporaryPath: temporary, chunks: [Array(text.utf8)], publish: .replace)
            return status
        }
    }

    // MARK: Private

    /// The cached status unless the file is missing, malformed, too long, for other
    /// limits, or old while `refuses` says it would refuse mail; then a rebuilt one.
    private func status(now: Double, rebuildingIfStale refuses: (QuotaStatus) -> Bool) throws -> QuotaStatus {
        let cached: QuotaStatus? = try MailstoreError.mappingIO {
            guard let info = try DurableFile.status(of: path), info.size < Self.maximumFileSize,
                  let cached = parse(try DurableFile.contents(of: path)) else { return nil }
            return refuses(cached) && now - info.modified > Self.staleAge ? nil : cached
        }
        return try cached ?? recalculate()
    }

    /// The sum of the file's lines; nil if it is malformed or its limits are not ours.
    private func parse(_ bytes: [UInt8]) -> QuotaStatus? {
        let lines = bytes.split(separator: UInt8(ascii: "\n"))
        guard let first = lines.first,
              QuotaLimit(headerLine: Substring(decoding: first, as: UTF8.self)) == limit else { return nil }
        var status = QuotaStatus(usedBytes: 0, usedMessages: 0, limit: limit)
        for line in lines.dropFirst() {
            let fields = line.split(separator: UInt8(ascii: " "))
            guard fields.count == 2,
                  let bytes = Int64(String(decoding: fields[0], as: UTF8.self)),
                  let count = Int64(String(decoding: fields[1], as: UTF8.self)) else { return nil }
            status.usedBytes += bytes
            status.usedMessages += count
        }
        return status
    }

    private func countedDirectories() throws -> [String] {
        var roots = [maildir]
        for name in try DurableFile.entries(of: maildir) where name.hasPrefix(".") && name != ".." {
            if try DurableFile.status(of: "\(maildir)/\(name)")?.isDirectory == true {
                roots.append("\(maildir)/\(name)")
            }
        }
        return roots.flatMap { ["\($0)/cur", "\($0)/new"] }
    }

    private func add(_ directory: String, to status: inout QuotaStatus) throws {
        guard try DurableFile.status(of: directory)?.isDirectory == true else { return }
        for name in try DurableFile.entries(of: directory) where !name.hasPrefix(".") {
            if let size = MaildirName.storedSize(inFileName: name[...]) {
                status.usedBytes += size
            } else if let info = try DurableFile.status(of: "\(directory)/\(name)") {
                status.usedBytes += info.size
            } else {
                continue  // expunged while we scanned
            }
            status.usedMessages += 1
        }
    }
}
