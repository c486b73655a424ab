import MoatCore

/// The few numbers that must outlive the SQLite index, in a small file beside it
/// (`moat-index-state`), rewritten whole and fsync'ed:
///
///     1 V1715000000 U2048 M8192
///
/// `V` is the UIDVALIDITY. `U` and `M` are reservations: no UID at or above `U`, and no
/// MODSEQ above `M`, has been handed out. The index raises them a block at a time before it
/// gives out a UID or MODSEQ past them, so one file write covers many messages. When the
/// index is lost, the rebuild restarts UIDNEXT at `U` (or above the highest `U=` found in a
/// file name) and HIGHESTMODSEQ at `M`: a UID expunged before the loss is never given out
/// again, and MODSEQs only go up for clients (RFC 7162 §3.1.1), at the cost of a gap.
struct IndexStateFile: Equatable {
    static let fileName = "moat-index-state"
    static let uidBlock: MessageUID = 1024
    static let modSeqBlock: ModSeq = 4096

    var uidValidity: UInt32
    var reservedUID: MessageUID
    var reservedModSeq: ModSeq

    static func path(in directory: String) -> String { "\(directory)/\(fileName)" }

    /// nil when there is no file or it does not parse (then the index is all there is).
    static func read(directory: String) -> IndexStateFile? {
        guard let bytes = try? DurableFile.contents(of: path(in: directory)) else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.first == "1" else { return nil }
        var state = IndexStateFile(uidValidity: 0, reservedUID: 0, reservedModSeq: 0)
        for field in fields.dropFirst() {
            switch field.first {
            case "V": state.uidValidity = UInt32(field.dropFirst()) ?? 0
            case "U": state.reservedUID = MessageUID(field.dropFirst()) ?? 0
            case "M": state.reservedModSeq = ModSeq(field.dropFirst()) ?? 0
            default: continue
            }
        }
        return state.uidValidity == 0 ? nil : state
    }

    func write(directory: String) throws {
        let path = Self.path(in: directory)
        let text = "1 V\(uidValidity) U\(reservedUID) M\(reservedModSeq)\n"
        let temporary = "\(path).\(MaildirName.unique(size: 0, virtualSize: 0).text).tmp"
        try MailboxError.mappingIO {
            try DurableFile.create(path, temporaryPath: temporary, chunks: [Array(text.utf8)], publish: .replace)
        }
    }

    /// Raises the reservations to cover UIDs below `uidNext` and MODSEQs up to `modSeq`,
    /// writing the file only when they did not already; returns whether it wrote.
    @discardableResult
    mutating func reserve(uidNext: MessageUID, modSeq: ModSeq, directory: String) throws -> Bool {
        guard uidNext > reservedUID || modSeq > reservedModSeq else { return false }
        if uidNext > reservedUID { reservedUID = uidNext + Self.uidBlock }
        if modSeq > reservedModSeq { reservedModSeq = modSeq + Self.modSeqBlock }
        try write(directory: directory)
        return true
    }
}
