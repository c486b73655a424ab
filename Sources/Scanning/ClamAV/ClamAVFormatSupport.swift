import CClamAV
import Logging

/// Which optional archive formats this libclamav can unpack, found by unpacking a sample.
///
/// RAR is the one libclamav loads from a separate library (libclamunrar), and Debian's
/// build ships without it: there a RAR is typed `CL_TYPE_RAR` and nothing in it is seen.
/// No API says whether unrar loaded, so a 83-byte RAR 4 archive with one stored member
/// (`probe.txt`, written by Moat for this purpose) is scanned once per engine load; if no
/// member comes back, every RAR is reported undecipherable instead of passing as empty.
enum ClamAVFormatSupport {
    /// libclamav types this engine recognises but cannot unpack.
    static func unpackableTypesMissing(engine: OpaquePointer, logger: Logger) -> Set<String> {
        let context = ClamAVScanContext(logger: logger, itemName: "probe.rar", recordsFiles: true)
        let options = cl_scan_options(general: 0, parse: ~UInt32(0), heuristic: 0, mail: 0, dev: 0)
        _ = rarSample.withUnsafeBytes {
            try? ClamAVCompiledEngine.scanMap($0, name: "probe.rar", engine: engine, options: options, context: context)
        }
        let unpacked = context.files.contains { $0.level == 1 && $0.path == ["probe.txt"] }
        if unpacked { return [] }
        logger.notice("this libclamav cannot unpack RAR archives (no unrar): every RAR attachment is reported undecipherable")
        return ["CL_TYPE_RAR"]
    }

    /// `Rar!` marker, main header, file header (stored, `probe.txt`, 15 bytes), data, end block.
    static let rarSample: [UInt8] = [
        0x52, 0x61, 0x72, 0x21, 0x1A, 0x07, 0x00, 0xCF, 0x90, 0x73, 0x00, 0x00, 0x0D, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0xE0, 0x65, 0x74, 0x00, 0x80, 0x29, 0x00, 0x0F, 0x00, 0x00, 0x00, 0x0F, 0x00, 0x00, 0x00, 0x00,
        0xEA, 0x66, 0x0A, 0x01, 0x00, 0x00, 0x00, 0x00, 0x14, 0x30, 0x09, 0x00, 0x20, 0x00, 0x00, 0x00, 0x70, 0x72,
        0x6F, 0x62, 0x65, 0x2E, 0x74, 0x78, 0x74, 0x6D, 0x6F, 0x61, 0x74, 0x20, 0x72, 0x61, 0x72, 0x20, 0x70, 0x72,
        0x6F, 0x62, 0x65, 0x0A, 0xC4, 0x3D, 0x7B, 0x00, 0x40, 0x07, 0x00,
    ]
}
