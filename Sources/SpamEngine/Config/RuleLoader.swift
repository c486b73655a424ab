import Foundation

/// Reads SpamAssassin `.cf` rule files into a `RuleConfiguration`.
///
/// Every `*.cf` file of each directory is read in lexical order, directories in the order
/// given (a path may also name one file), the way SpamAssassin reads its rules directory;
/// later files override earlier ones. Problems become `diagnostics`, never crashes.
public enum RuleLoader {
    /// The SpamAssassin plugins Moat implements natively: the default for `ifplugin`.
    public static let nativePlugins: Set<String> = Set([
        "Check", "HTMLEval", "MIMEEval", "HeaderEval", "BodyEval", "RelayEval", "URIDNSBL",
        "DNSEval", "Bayes", "WLBLEval", "MIMEHeader", "ReplaceTags", "FreeMail", "HashBL", "ImageInfo",
    ].map { "Mail::SpamAssassin::Plugin::" + $0 })

    /// Loads every rule file under `directories` and finishes the configuration.
    /// - Parameter pluginsAvailable: plugins Moat runs; only these satisfy `ifplugin` and
    ///   `plugin(...)`. `loadplugin` lines are recorded in `loadedPlugins` but load nothing.
    public static func load(directories: [String], pluginsAvailable: Set<String>) -> RuleConfiguration {
        var config = RuleConfiguration()
        config.parserState.pluginsAvailable = pluginsAvailable
        config.loadedPlugins = pluginsAvailable
        for path in directories {
            for file in ruleFiles(at: path, config: &config) {
                guard let bytes = readFile(file) else {
                    config.parserState.diagnostics.append(LintMessage(.error, SourceLocation(file: file, line: 0), "cannot read file"))
                    continue
                }
                var parser = RuleFileParser(file: file)
                parser.parse(bytes, into: &config)
            }
        }
        finish(&config)
        return config
    }

    /// Reads one file's text into `configuration` (tests, or rules kept elsewhere than in
    /// files) and finishes it again, so scores, ReplaceTags and lint reflect every text
    /// read into it so far. `file` names the text in diagnostics and anchors `include`.
    public static func parse(text: String, file: String, into configuration: inout RuleConfiguration,
                             pluginsAvailable: Set<String>? = nil) {
        if let pluginsAvailable {
            configuration.parserState.pluginsAvailable = pluginsAvailable
        }
        configuration.loadedPlugins.formUnion(configuration.parserState.pluginsAvailable)
        var parser = RuleFileParser(file: file)
        parser.parse(Array(text.utf8), into: &configuration)
        finish(&configuration)
    }

    // MARK: - Files

    /// The `.cf` files of a directory in lexical (byte) order, or the path itself if it is a file.
    static func ruleFiles(at path: String, config: inout RuleConfiguration) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            config.parserState.diagnostics.append(LintMessage(
                .warning, SourceLocation(file: path, line: 0), "rule directory or file does not exist"))
            return []
        }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let base = path.hasSuffix("/") ? path : path + "/"
        return names.filter { $0.hasSuffix(".cf") }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { base + $0 }
            .filter {
                var isDir: ObjCBool = false
                return FileManager.default.fileExists(atPath: $0, isDirectory: &isDir) && !isDir.boolValue
            }
    }

    static func readFile(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return [UInt8](data)
    }

    // MARK: - Finishing

    /// Joins tests with their metadata, expands ReplaceTags, compiles each regex once with
    /// PCRE2 and checks meta dependencies and scores, as SpamAssassin's end of parsing does.
    /// Idempotent: it rebuilds `rules`, `order` and `diagnostics` from the parser state.
    static func finish(_ config: inout RuleConfiguration) {
        let state = config.parserState
        let replaceTags = ReplaceTags(state)
        var findings: [LintMessage] = []
        var rules: [String: RuleDefinition] = [:]
        rules.reserveCapacity(state.definitions.count)
        var order: [String] = []
        order.reserveCapacity(state.order.count)

        for name in state.order {
            guard var rule = state.definitions[name] else { continue }
            let expand = state.replaceRules.contains(name)
            var regex: PerlRegex?
            switch rule.test {
            case .regex(var re):
                if expand { re.pattern = replaceTags.expand(re.pattern) }
                rule.test = .regex(re)
                regex = re
            case .header(let selector, var re, let negated, let ifUnset):
                if expand { re.pattern = replaceTags.expand(re.pattern) }
                rule.test = .header(selector, re, negated: negated, ifUnset: ifUnset)
                regex = re
            case .mimeHeader(_, let re, _, _):
                regex = re
            case .headerExists, .eval, .meta:
                break
            }
            var priority = 0
            if let regex {
                if let problem = RegexLiteral.compileError(regex) {
                    let shown = regex.pattern.utf8.count > 160
                        ? String(regex.pattern.prefix(120)) + "…(\(regex.pattern.utf8.count) bytes)" : regex.pattern
                    findings.append(LintMessage(.error, rule.location,
                        "invalid regexp for \(name) /\(shown)/\(regex.flags): \(problem)"))
                    continue
                }
                if RegexLiteral.hasNamedCapture(regex.pattern) { priority = -10000 }
            }
            rule.scores = state.scores[name]?.values
            rule.describe = state.describes[name]
            rule.tflags = state.tflags[name] ?? []
            rule.priority = state.priorities[name] ?? priority
            rules[name] = rule
            order.append(name)
        }

        for name in order {
            guard let rule = rules[name], case .meta(let expression) = rule.test else { continue }
            for dependency in metaDependencies(expression) where rules[dependency] == nil {
                findings.append(LintMessage(.warning, rule.location,
                    "meta \(name) depends on undefined rule \(dependency)"))
            }
        }
        for (name, scores) in state.scores where rules[name] == nil {
            findings.append(LintMessage(.warning, scores.location, "score set for undefined rule \(name)"))
        }
        findings.sort { a, b in a.location.file == b.location.file ? a.location.line < b.location.line : a.location.file < b.location.file }

        config.rules = rules
        config.order = order
        config.diagnostics = state.diagnostics + findings
    }

    /// Rule names a meta expression refers to: identifiers that are not numbers, not
    /// function names, and not inside `rules_matching(...)` (whose argument is a glob).
    static func metaDependencies(_ expression: String) -> [String] {
        let b = Array(expression.utf8)
        var names: [String] = []
        var i = 0
        while i < b.count {
            let c = b[i]
            if RegexLiteral.isWordByte(c) && !(c >= 48 && c <= 57) {
                var j = i
                while j < b.count, RegexLiteral.isWordByte(b[j]) { j += 1 }
                var k = j
                while k < b.count, b[k] == 32 || b[k] == 9 { k += 1 }
                if k < b.count, b[k] == UInt8(ascii: "(") {
                    // A function call: skip rules_matching's glob argument entirely.
                    if b[i..<j].elementsEqual("rules_matching".utf8),
                       let close = b[k...].firstIndex(of: UInt8(ascii: ")")) {
                        i = close + 1
                        continue
                    }
                } else {
                    names.append(String(decoding: b[i..<j], as: UTF8.self))
                }
                i = j
            } else if c >= 48 && c <= 57 {
                // A number (possibly 1.5 or 0x1f): skip its word characters and dots.
                while i < b.count, RegexLiteral.isWordByte(b[i]) || b[i] == UInt8(ascii: ".") { i += 1 }
            } else {
                i += 1
            }
        }
        return names
    }
}
