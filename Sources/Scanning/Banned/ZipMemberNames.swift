/// Lists the member names of a ZIP archive from its bytes, without decompressing.
///
/// Why our own parser: banned-name checks need only names, and a hostile archive must not
/// cost more than a bounded walk over its headers. Both the central directory (what
/// unzip tools show) and the local headers (what some extractors actually use) are read,
/// since malware sometimes gives them different names (libclamav reports only the local
/// one), and names stay readable in an encrypted ZIP, which libclamav does not unpack.
/// Members stored uncompressed that are themselves ZIPs are opened too, up to `maxDepth`;
/// deflated ones are left to libclamav.
///
/// Layout used (APPNOTE.TXT 4.3): local header `PK\3\4` (30 bytes + name + extra + data),
/// central header `PK\1\2` (46 bytes + name + extra + comment), end of central directory
/// `PK\5\6` (22 bytes + comment, within the last 64 KiB), and the ZIP64 locator `PK\6\7`
/// and record `PK\6\6` when the classic fields are saturated.
enum ZipMemberNames {
    /// A member name, with the names of the archives it is nested in (outermost first).
    struct Member: Equatable {
        var path: [[UInt8]]
        var name: [UInt8] { path[path.count - 1] }
    }

    /// libclamav's MaxFiles: the walk stops after this many names in all.
    static let maxMembers = 10_000

    /// Member names of `bytes`, or an empty list when it is not a ZIP (or not parseable).
    /// - Parameter maxDepth: nesting levels listed (1: members of `bytes` only).
    static func members(of bytes: [UInt8], maxDepth: Int) -> [Member] {
        var budget = maxMembers
        return bytes.withUnsafeBufferPointer { members(of: $0, depth: 1, maxDepth: maxDepth, budget: &budget) }
    }

    private struct Entry {
        var name: [UInt8]
        var method: UInt16
        var compressedSize: Int
        var localHeaderOffset: Int?
        var dataStart: Int?
    }

    private static func members(
        of bytes: UnsafeBufferPointer<UInt8>, depth: Int, maxDepth: Int, budget: inout Int
    ) -> [Member] {
        var entries = centralDirectoryEntries(bytes, budget: &budget)
        var seen = Set(entries.map(\.name))
        for entry in localHeaderEntries(bytes, budget: &budget) where !seen.contains(entry.name) {
            seen.insert(entry.name)
            entries.append(entry)
        }
        var result: [Member] = []
        for entry in entries {
            result.append(Member(path: [entry.name]))
            guard depth < maxDepth, entry.method == 0, let data = storedData(of: entry, in: bytes),
                looksLikeZip(data)
            else { continue }
            for inner in members(of: data, depth: depth + 1, maxDepth: maxDepth, budget: &budget) {
                result.append(Member(path: [entry.name] + inner.path))
            }
        }
        return result
    }

    /// Whether `bytes` starts like a ZIP (a local header, or the EOCD of an empty archive).
    static func looksLikeZip(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 4 && (bytes.u32(at: 0) == localSignature || bytes.u32(at: 0) == endSignature)
    }

    // MARK: - Central directory

    private static func centralDirectoryEntries(_ bytes: UnsafeBufferPointer<UInt8>, budget: inout Int) -> [Entry] {
        guard let end = findEndOfCentralDirectory(bytes) else { return [] }
        var declaredOffset = Int(bytes.u32(at: end + 16)!)
        var size = Int(bytes.u32(at: end + 12)!)
        if declaredOffset == 0xFFFF_FFFF || size == 0xFFFF_FFFF, let zip64 = zip64Directory(bytes, end: end) {
            (declaredOffset, size) = zip64
        }
        // Self-extracting archives and mail-prepended junk shift every offset; the directory
        // ends where the EOCD starts, so `shift` recovers the real positions.
        let start = end - size
        guard start >= 0, bytes.u32(at: start) == centralSignature else { return [] }
        let shift = start - declaredOffset

        var entries: [Entry] = []
        var position = start
        while budget > 0, position + 46 <= end, bytes.u32(at: position) == centralSignature {
            let nameLength = Int(bytes.u16(at: position + 28)!)
            let extraLength = Int(bytes.u16(at: position + 30)!)
            let commentLength = Int(bytes.u16(at: position + 32)!)
            guard let name = bytes.slice(position + 46, nameLength) else { break }
            entries.append(
                Entry(
                    name: Array(name), method: bytes.u16(at: position + 10)!,
                    compressedSize: Int(bytes.u32(at: position + 20)!),
                    localHeaderOffset: Int(bytes.u32(at: position + 42)!) + shift, dataStart: nil))
            budget -= 1
            position += 46 + nameLength + extraLength + commentLength
        }
        return entries
    }

    private static func findEndOfCentralDirectory(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count >= 22 else { return nil }
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        var position = bytes.count - 22
        while position >= lowest {
            if bytes.u32(at: position) == endSignature,
                position + 22 + Int(bytes.u16(at: position + 20)!) <= bytes.count
            {
                return position
            }
            position -= 1
        }
        return nil
    }

    /// (central directory offset, size) from the ZIP64 end record, if present.
    private static func zip64Directory(_ bytes: UnsafeBufferPointer<UInt8>, end: Int) -> (Int, Int)? {
        let locator = end - 20
        guard locator >= 0, bytes.u32(at: locator) == zip64LocatorSignature,
            let recordOffset = bytes.u64(at: locator + 8), recordOffset < UInt64(bytes.count),
            bytes.u32(at: Int(recordOffset)) == zip64EndSignature,
            let size = bytes.u64(at: Int(recordOffset) + 40), let offset = bytes.u64(at: Int(recordOffset) + 48),
            size < UInt64(bytes.count), offset < UInt64(bytes.count)
        else { return nil }
        return (Int(offset), Int(size))
    }

    // MARK: - Local headers

    /// Walks local headers from the start; stops at the first one whose size it cannot
    /// trust (streamed entries with a data descriptor) or anything that is not a header.
    private static func localHeaderEntries(_ bytes: UnsafeBufferPointer<UInt8>, budget: inout Int) -> [Entry] {
        var entries: [Entry] = []
        var position = 0
        while budget > 0, position + 30 <= bytes.count, bytes.u32(at: position) == localSignature {
            let flags = bytes.u16(at: position + 6)!
            let compressedSize = Int(bytes.u32(at: position + 18)!)
            let nameLength = Int(bytes.u16(at: position + 26)!)
            let extraLength = Int(bytes.u16(at: position + 28)!)
            guard let name = bytes.slice(position + 30, nameLength) else { break }
            let dataStart = position + 30 + nameLength + extraLength
            entries.append(
                Entry(
                    name: Array(name), method: bytes.u16(at: position + 8)!, compressedSize: compressedSize,
                    localHeaderOffset: position, dataStart: dataStart))
            budget -= 1
            let hasDataDescriptor = flags & 0x0008 != 0
            guard !(hasDataDescriptor && compressedSize == 0), compressedSize != 0xFFFF_FFFF else { break }
            position = dataStart + compressedSize
        }
        return entries
    }

    /// The bytes of a stored (method 0) member, found through its local header.
    private static func storedData(of entry: Entry, in bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        var start = entry.dataStart
        if start == nil, let header = entry.localHeaderOffset, header >= 0,
            bytes.u32(at: header) == localSignature,
            let nameLength = bytes.u16(at: header + 26), let extraLength = bytes.u16(at: header + 28)
        {
            start = header + 30 + Int(nameLength) + Int(extraLength)
        }
        guard let start else { return nil }
        return bytes.slice(start, entry.compressedSize)
    }

    private static let localSignature: UInt32 = 0x0403_4B50
    private static let centralSignature: UInt32 = 0x0201_4B50
    private static let endSignature: UInt32 = 0x0605_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let zip64EndSignature: UInt32 = 0x0606_4B50
}

/// Bounds-checked little-endian reads: every accessor returns nil past the end, so a
/// truncated or lying archive ends the walk instead of trapping.
extension UnsafeBufferPointer<UInt8> {
    fileprivate func u16(at offset: Int) -> UInt16? {
        guard offset >= 0, offset + 2 <= count else { return nil }
        return UInt16(self[offset]) | UInt16(self[offset + 1]) << 8
    }

    fileprivate func u32(at offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= count else { return nil }
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(self[offset + $1]) << (8 * $1) }
    }

    fileprivate func u64(at offset: Int) -> UInt64? {
        guard offset >= 0, offset + 8 <= count else { return nil }
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(self[offset + $1]) << (8 * $1) }
    }

    fileprivate func slice(_ offset: Int, _ length: Int) -> UnsafeBufferPointer<UInt8>? {
        guard offset >= 0, length >= 0, offset <= count, length <= count - offset else { return nil }
        return UnsafeBufferPointer(rebasing: self[offset..<offset + length])
    }
}
