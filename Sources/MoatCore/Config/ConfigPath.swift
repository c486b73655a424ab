/// Relative paths in a configuration file name places next to that file, never places under
/// the working directory `moat` happens to be started in: the same file gives the same
/// paths from anywhere (as Dovecot resolves `!include` and Postfix's tools read absolute
/// paths only). Resolution is lexical: `..` removes the component before it and symbolic
/// links are left for the kernel to follow when the path is used.
public enum ConfigPath {
    /// `path` made absolute against `base` (itself absolute) and normalised; absolute paths
    /// are only normalised, and the empty string stays empty so "must not be empty"
    /// checks still see it.
    public static func resolve(_ path: String, against base: String) -> String {
        guard !path.isEmpty else { return path }
        return normalize(path.hasPrefix("/") ? path : base + "/" + path)
    }

    /// Removes `.`, empty components and `dir/..` pairs from an absolute path.
    public static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The absolute directory holding `file`; a relative `file` is taken from
    /// `workingDirectory` (where the command line named it).
    public static func directory(of file: String, workingDirectory: String) -> String {
        let absolute = resolve(file, against: workingDirectory)
        guard let slash = absolute.lastIndex(of: "/"), slash != absolute.startIndex else { return "/" }
        return String(absolute[..<slash])
    }
}

/// One path-valued setting after resolution, for `moat config check` and for errors that
/// must name both the path and the line that set it.
public struct ResolvedPath: Sendable, Equatable, CustomStringConvertible {
    /// `storage`, `mx.tls`, `mx.restrictions`, ...
    public var section: String
    public var key: String
    public var path: String
    /// The key's line, or the section header's when the value is the default (0 without one).
    public var line: Int

    public init(section: String, key: String, path: String, line: Int) {
        self.section = section
        self.key = key
        self.path = path
        self.line = line
    }

    public var description: String { "[\(section)] \(key) = \(path)" }
}
