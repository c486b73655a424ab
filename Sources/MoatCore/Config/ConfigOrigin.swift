/// Where a loaded configuration came from: its file, the line that set (or would set)
/// each key, and every path it resolved. Checks that run after loading (a rules directory
/// that yields nothing, a directory that cannot be written) use it to report `file:line`
/// as the loader does.
public struct ConfigOrigin: Sendable {
    /// The file as named on the command line (what error messages print).
    public var file: String
    /// The directory relative paths were resolved against; nil when the text had no file
    /// (paths are then kept as written).
    public var baseDirectory: String?
    /// `section.key` → line; a key left at its default maps to its section header's line.
    public internal(set) var lines: [String: Int] = [:]
    /// Every path-valued setting, in the order the sections read them.
    public internal(set) var paths: [ResolvedPath] = []

    public init(file: String = "", baseDirectory: String? = nil) {
        self.file = file
        self.baseDirectory = baseDirectory
    }

    /// The line of `[section] key` (0 when neither the key nor its section is in the file).
    public func line(_ section: String, _ key: String) -> Int { lines["\(section).\(key)"] ?? 0 }

    /// A problem with `[section] key`, located at the key's line, worded as the loader's.
    public func issue(_ section: String, _ key: String, _ message: String) -> ConfigIssue {
        ConfigIssue(file: file, line: line(section, key), message: "[\(section)] \(key): \(message)")
    }

    /// The resolved path of `[section] key` (the first, for list-valued keys).
    public func path(_ section: String, _ key: String) -> ResolvedPath? {
        paths.first { $0.section == section && $0.key == key }
    }
}

/// What the sections of one file record while they are read; shared by a section and its
/// subsections, copied into `MoatConfig.origin` at the end.
final class ConfigRecorder {
    var origin: ConfigOrigin

    init(_ origin: ConfigOrigin) { self.origin = origin }
}
