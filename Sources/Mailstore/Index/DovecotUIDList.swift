import MoatCore

/// Dovecot's `dovecot-uidlist` (version 3, `maildir-uidlist.c`), read once when Moat
/// first opens a Maildir Dovecot used, so users keep their UIDs and UIDVALIDITY:
///
///     3 V1715000000 N43 G0b1a...
///     1 S2048 W2101 :1715000000.M1P2.host,S=2048,W=2101
///     42 :1715000007.M8P9.host
///
/// Header fields are a key letter and a value (`V` UIDVALIDITY, `N` next UID); a record
/// is the UID, extension fields, then `:` and the file name (its base; any `:2,` info is
/// ignored). Version 1 (`1 <uidvalidity> <nextuid>`, records `<uid> <name>`) is read too.
/// A record that does not parse ends the reading, keeping what came before, as Dovecot
/// treats a broken line.
struct DovecotUIDList {
    static let fileName = "dovecot-uidlist"

    let uidValidity: UInt32
    let nextUID: MessageUID
    /// UID by file base name.
    let uids: [String: MessageUID]

    /// nil when the file is missing or its header is unusable.
    init?(directory: String) {
        guard let bytes = try? DurableFile.contents(of: "\(directory)/\(Self.fileName)") else { return nil }
        self.init(text: String(decoding: bytes, as: UTF8.self))
    }

    init?(text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)[...]
        guard let header = lines.popFirst(), header.count > 2, header.dropFirst().first == " " else { return nil }
        let version = header.first
        var validity: UInt32 = 0
        var next: MessageUID = 0
        switch version {
        case "1":
            let fields = header.dropFirst(2).split(separator: " ")
            guard fields.count >= 2 else { return nil }
            validity = UInt32(fields[0]) ?? 0
            next = MessageUID(fields[1]) ?? 0
        case "3":
            for field in header.dropFirst(2).split(separator: " ") {
                switch field.first {
                case "V": validity = UInt32(field.dropFirst()) ?? 0
                case "N": next = MessageUID(field.dropFirst()) ?? 0
                default: continue
                }
            }
        default:
            return nil
        }
        guard validity != 0, next != 0 else { return nil }
        var uids: [String: MessageUID] = [:]
        var previous: MessageUID = 0
        for line in lines {
            guard let record = Self.record(line, version: version!), record.uid > previous else { break }
            previous = record.uid
            uids[record.base] = record.uid
        }
        uidValidity = validity
        nextUID = max(next, previous + 1)
        self.uids = uids
    }

    private static func record(_ line: Substring, version: Character) -> (uid: MessageUID, base: String)? {
        let digits = line.prefix(while: \.isNumber)
        guard let uid = MessageUID(digits), uid > 0 else { return nil }
        var rest = line.dropFirst(digits.count)
        guard rest.first == " " else { return nil }
        rest = rest.drop(while: { $0 == " " })
        let name: Substring
        if version == "3" {
            // Extension fields (`S2048`, `GE1…`) come first; the name follows the one
            // field that starts with `:`.
            while let first = rest.first, first != ":" {
                rest = rest.drop(while: { $0 != " " }).drop(while: { $0 == " " })
            }
            guard !rest.isEmpty else { return nil }
            name = rest.dropFirst()
        } else {
            name = rest
        }
        let base = MaildirFileName(String(name)).base
        guard !base.isEmpty, !base.contains("/") else { return nil }
        return (uid, base)
    }
}
