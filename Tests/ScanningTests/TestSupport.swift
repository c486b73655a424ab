import Foundation
import Logging

/// Paths the tests need, found relative to this file so `swift test` works from anywhere.
enum TestPaths {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let clamAVRules = repositoryRoot.appendingPathComponent("Rules/clamav").path
    static let clamAVTestFiles = "/usr/share/clamav-testfiles"
    static let hamCorpus = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/ham").path
}

enum TestData {
    /// The 68-byte EICAR test string, assembled so this source file is not itself "infected".
    static let eicar = Array(("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").utf8)

    static let logger: Logger = {
        var logger = Logger(label: "moat.scanning.tests")
        logger.logLevel = .notice
        return logger
    }()

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("moat-scanning-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Writes minimal ZIP archives (stored entries, CRC left 0: our parser never checks it).
enum ZipBuilder {
    static func zip(_ members: [(name: String, data: [UInt8])], centralNames: [String]? = nil) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (index, member) in members.enumerated() {
            let name = Array(member.name.utf8)
            let centralName = Array((centralNames?[index] ?? member.name).utf8)
            let offset = UInt32(out.count)
            out += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
            out += le32(UInt32(member.data.count)) + le32(UInt32(member.data.count))
            out += le16(UInt16(name.count)) + le16(0) + name + member.data
            central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0)
            central += le32(0) + le32(UInt32(member.data.count)) + le32(UInt32(member.data.count))
            central += le16(UInt16(centralName.count)) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
            central += le32(offset) + centralName
        }
        let centralOffset = UInt32(out.count)
        out += central
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(members.count)) + le16(UInt16(members.count))
        out += le32(UInt32(central.count)) + le32(centralOffset) + le16(0)
        return out
    }

    private static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    private static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(value >> (8 * $0) & 0xFF) } }
}
