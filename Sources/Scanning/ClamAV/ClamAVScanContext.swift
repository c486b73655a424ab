import CClamAV
import Logging

/// Per-scan state handed to libclamav as the context pointer of `cl_scanmap_callback`:
/// the logger its messages go to, and the files its file-inspection callback reports
/// (when `recordsFiles`: a scan that wants only the verdict keeps none).
///
/// One scan runs on one thread and libclamav calls back synchronously on it, so the
/// unsynchronised mutation here is confined to that thread.
final class ClamAVScanContext {
    let logger: Logger
    let itemName: String?
    /// Whether `record` keeps the files (`inspect`), or drops them at once (`scan`).
    let recordsFiles: Bool
    /// Every file libclamav looked at, the scanned item first (level 0), depth first.
    private(set) var files: [ClamAVInspectedFile] = []
    /// The (name, type) of the file currently open at each level, root first.
    private var open: [(name: String?, type: String)] = []

    init(logger: Logger, itemName: String?, recordsFiles: Bool) {
        self.logger = logger
        self.itemName = itemName
        self.recordsFiles = recordsFiles
    }

    /// Records one file from the inspection callback. Its parent is the file last seen
    /// one level up, since libclamav walks depth first.
    func record(type: String, name: String?, size: Int, level: Int) {
        guard recordsFiles else { return }
        if open.count > level { open.removeLast(open.count - level) }
        while open.count < level { open.append((nil, "CL_TYPE_ANY")) }
        var name = name
        if name == nil, level == 0 { name = itemName }
        if name == nil, let parent = open.last, let parentName = parent.name {
            name = DecompressedName.of(parentName, type: parent.type)
        }
        open.append((name, type))
        files.append(ClamAVInspectedFile(level: level, path: open.dropFirst().map(\.name), type: type, size: size))
    }
}

/// One file as the inspection callback reported it.
struct ClamAVInspectedFile: Equatable {
    var level: Int
    /// Names below the scanned item (empty for the item itself).
    var path: [String?]
    var type: String
    var size: Int
}

/// The name a single-stream compressor's payload gets when the format (or libclamav)
/// does not name it: the container's name without the compression suffix, as `gunzip`,
/// `bunzip2` and `unxz` name their output (`setup.exe.gz` -> `setup.exe`, `x.tgz` -> `x.tar`).
enum DecompressedName {
    static func of(_ container: String, type: String) -> String? {
        guard let suffixes = suffixesByType[type] else { return nil }
        let lower = container.lowercased()
        for (suffix, replacement) in suffixes where lower.hasSuffix(suffix) && lower.count > suffix.count {
            return String(container.dropLast(suffix.count)) + replacement
        }
        return nil
    }

    private static let suffixesByType: [String: [(String, String)]] = [
        "CL_TYPE_GZ": [(".tgz", ".tar"), (".gzip", ""), (".gz", ""), (".z", "")],
        "CL_TYPE_BZ": [(".tbz2", ".tar"), (".tbz", ".tar"), (".bz2", ""), (".bz", "")],
        "CL_TYPE_XZ": [(".txz", ".tar"), (".xz", "")],
    ]
}

/// libclamav's file-inspection callback (libclamav 0.103+): called for the scanned item
/// and for every file unpacked from it, before it is scanned. It only records; returning
/// CL_CLEAN lets the scan go on as without it.
func clamAVFileInspectionCallback(
    fd: Int32, type: UnsafePointer<CChar>?, ancestors: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
    parentSize: Int, fileName: UnsafePointer<CChar>?, fileSize: Int, fileBuffer: UnsafePointer<CChar>?,
    recursionLevel: UInt32, layerAttributes: UInt32, context: UnsafeMutableRawPointer?
) -> cl_error_t {
    guard let context else { return CL_CLEAN }
    let scan = Unmanaged<ClamAVScanContext>.fromOpaque(context).takeUnretainedValue()
    scan.record(
        type: type.map { String(cString: $0) } ?? "CL_TYPE_ANY",
        name: fileName.map { String(cString: $0) }, size: fileSize, level: Int(recursionLevel))
    return CL_CLEAN
}
