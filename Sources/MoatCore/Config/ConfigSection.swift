/// Reads one `[section]` of the configuration: typed getters that fall back to the
/// default when a key is absent, and record an issue (with the key's line) when a value
/// has the wrong type or fails validation. Keys never read are reported as unknown, so a
/// typo stops start-up instead of being silently ignored.
public final class ConfigSection {
    public let name: String
    private let table: TOMLTable
    private let file: String
    private var used: Set<String> = []
    private(set) var issues: [ConfigIssue] = []
    private var children: [ConfigSection] = []
    private let recorder: ConfigRecorder

    init(name: String, table: TOMLTable, file: String, recorder: ConfigRecorder) {
        self.name = name
        self.table = table
        self.file = file
        self.recorder = recorder
    }

    /// The line of `key`, or of the section header when the key is absent.
    public func line(of key: String) -> Int { table[key]?.line ?? table.line }

    public func report(_ key: String, _ message: String) {
        issues.append(ConfigIssue(file: file, line: line(of: key), message: "[\(name)] \(key): \(message)"))
    }

    /// Whether the file sets `key` (as opposed to leaving it at its default).
    public func has(_ key: String) -> Bool { table[key] != nil }

    private func entry(_ key: String) -> TOMLTable.Entry? {
        used.insert(key)
        recorder.origin.lines["\(name).\(key)"] = line(of: key)
        return table[key]
    }

    public func string(_ key: String, default value: String) -> String {
        guard let e = entry(key) else { return value }
        if case .string(let s) = e.value { return s }
        report(key, "expected a string, found \(e.value.typeName)")
        return value
    }

    public func optionalString(_ key: String) -> String? {
        guard let e = entry(key) else { return nil }
        if case .string(let s) = e.value { return s }
        report(key, "expected a string, found \(e.value.typeName)")
        return nil
    }

    public func bool(_ key: String, default value: Bool) -> Bool {
        guard let e = entry(key) else { return value }
        if case .boolean(let b) = e.value { return b }
        report(key, "expected true or false, found \(e.value.typeName)")
        return value
    }

    public func int(_ key: String, default value: Int, range: ClosedRange<Int>? = nil) -> Int {
        guard let e = entry(key) else { return value }
        guard case .integer(let i) = e.value else {
            report(key, "expected an integer, found \(e.value.typeName)")
            return value
        }
        if let range, !range.contains(i) {
            report(key, "\(i) is out of range \(range.lowerBound)...\(range.upperBound)")
            return value
        }
        return i
    }

    public func double(_ key: String, default value: Double) -> Double {
        guard let e = entry(key) else { return value }
        switch e.value {
        case .float(let d) where d.isFinite: return d
        case .integer(let i): return Double(i)
        default:
            report(key, "expected a number, found \(e.value.typeName)")
            return value
        }
    }

    public func strings(_ key: String, default value: [String]) -> [String] {
        guard let e = entry(key) else { return value }
        guard case .array(let items) = e.value else {
            report(key, "expected an array of strings, found \(e.value.typeName)")
            return value
        }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else {
                report(key, "expected an array of strings, found an element of type \(item.typeName)")
                return value
            }
            out.append(s)
        }
        return out
    }

    /// A duration such as `"300s"`, `"5m"`, `"2h"`, `"1d"`, `"500ms"`, or a bare number of seconds.
    public func duration(_ key: String, default value: Duration) -> Duration {
        guard let e = entry(key) else { return value }
        switch e.value {
        case .integer(let i) where i >= 0: return .seconds(i)
        case .string(let s):
            if let d = DurationText.parse(s) { return d }
            report(key, "invalid duration '\(s)' (use e.g. \"30s\", \"5m\", \"2h\", \"7d\")")
        default:
            report(key, "expected a duration like \"30s\", found \(e.value.typeName)")
        }
        return value
    }

    /// A byte size such as `"50M"`, `"512K"`, `"1G"` or a bare integer.
    public func byteSize(_ key: String, default value: Int) -> Int {
        guard let e = entry(key) else { return value }
        switch e.value {
        case .integer(let i) where i >= 0: return i
        case .string(let s):
            if let n = ByteSizeText.parse(s) { return n }
            report(key, "invalid size '\(s)' (use e.g. \"50M\", \"512K\", \"1G\")")
        default:
            report(key, "expected a size like \"50M\", found \(e.value.typeName)")
        }
        return value
    }

    /// A file or directory: relative values are resolved against the configuration file's
    /// directory (`ConfigPath`), and the result is recorded for `moat config check`.
    public func path(_ key: String, default value: String) -> String {
        resolved(key, string(key, default: value))
    }

    /// A list of files or directories, each resolved as `path(_:default:)`.
    public func paths(_ key: String, default value: [String]) -> [String] {
        strings(key, default: value).map { resolved(key, $0) }
    }

    /// `value`, read from `key`, resolved and recorded as one of the file's paths. For path
    /// arguments inside other values (an access table named in a restriction list).
    public func resolved(_ key: String, _ value: String) -> String {
        let path = recorder.origin.baseDirectory.map { ConfigPath.resolve(value, against: $0) } ?? value
        recorder.origin.paths.append(ResolvedPath(section: name, key: key, path: path, line: line(of: key)))
        return path
    }

    /// One of a fixed set of words.
    public func choice<T: RawRepresentable>(_ key: String, default value: T) -> T
    where T.RawValue == String, T: CaseIterable {
        guard let e = entry(key) else { return value }
        if case .string(let s) = e.value, let v = T(rawValue: s.lowercased()) { return v }
        let allowed = T.allCases.map(\.rawValue).joined(separator: " | ")
        report(key, "expected one of \(allowed)")
        return value
    }

    /// The table `[name.key]` (empty when absent); its issues are reported with this section's.
    public func subsection(_ key: String) -> ConfigSection {
        var sub = TOMLTable()
        if let e = entry(key) {
            if case .table(let t) = e.value { sub = t } else { report(key, "must be a [\(name).\(key)] table") }
        }
        let child = ConfigSection(name: "\(name).\(key)", table: sub, file: file, recorder: recorder)
        children.append(child)
        return child
    }

    func unknownKeyIssues() -> [ConfigIssue] {
        table.keys.filter { !used.contains($0) }.map {
            ConfigIssue(file: file, line: table[$0]?.line ?? 0, message: "[\(name)] unknown key '\($0)'")
        }
    }

    /// This section's issues and those of its subsections, unknown keys included.
    func allIssues() -> [ConfigIssue] {
        issues + unknownKeyIssues() + children.flatMap { $0.allIssues() }
    }
}
