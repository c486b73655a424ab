import MoatCore
/// Reads the lines of one `.cf` file into a `RuleConfiguration`, with Conf/Parser.pm's
/// semantics: `#` comments (but `\#`), no line continuation, `lang` lines for other
/// languages skipped, `if`/`ifplugin`/`else`/`endif` nesting per file, `include` relative
/// to the including file. Rules are stored as written; `RuleLoader.finish` joins scores
/// and metadata, expands ReplaceTags and checks regexes once every file was read.
struct RuleFileParser {
    /// The language Moat reads `lang xx` lines for (SpamAssassin's default, `en_US`).
    static let language = "en_US"
    static let maxIncludeDepth = 20

    let file: String
    let includeDepth: Int
    private var conditionals: [(skipping: Bool, line: Int, type: String)] = []
    private var skipping = false
    /// After a `require_version` for another version, as SpamAssassin does.
    private var skipRestOfFile = false

    init(file: String, includeDepth: Int = 0) {
        self.file = file
        self.includeDepth = includeDepth
    }

    // MARK: - Lines

    mutating func parse(_ bytes: [UInt8], into config: inout RuleConfiguration) {
        var lineNumber = 0
        var lineStart = 0
        let count = bytes.count
        while lineStart < count {
            var lineEnd = lineStart
            while lineEnd < count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            lineNumber += 1
            if let line = Self.clean(bytes[lineStart..<lineEnd]) {
                handle(line, SourceLocation(file: file, line: lineNumber), into: &config)
            }
            lineStart = lineEnd + 1
        }
        for open in conditionals {
            config.parserState.diagnostics.append(LintMessage(
                .warning, SourceLocation(file: file, line: open.line), "unclosed '\(open.type)' at end of file"))
        }
    }

    /// Strips the comment and surrounding whitespace; nil for an empty line. Lines that are
    /// not valid UTF-8 (Latin-1 bytes in a few stock rules) get those bytes as `\xHH`, which
    /// means the same byte in a regex and keeps `String` lossless.
    static func clean(_ raw: ArraySlice<UInt8>) -> String? {
        var end = raw.endIndex
        var hasHash = false
        var i = raw.startIndex
        while i < raw.endIndex {
            if raw[i] == UInt8(ascii: "#") {
                if i > raw.startIndex && raw[i - 1] == UInt8(ascii: "\\") {
                    hasHash = true
                } else {
                    end = i
                    break
                }
            }
            i += 1
        }
        var start = raw.startIndex
        while start < end && isSpace(raw[start]) { start += 1 }
        while end > start && isSpace(raw[end - 1]) { end -= 1 }
        if start == end { return nil }
        var bytes = Array(raw[start..<end])
        if hasHash { bytes = unescapeHashes(bytes) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var escaped: [UInt8] = []
        escaped.reserveCapacity(bytes.count + 16)
        let hex = Array("0123456789abcdef".utf8)
        for b in bytes {
            if b < 0x80 {
                escaped.append(b)
            } else {
                escaped.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(b >> 4)], hex[Int(b & 15)]])
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    private static func unescapeHashes(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "#") {
                out.append(UInt8(ascii: "#"))
                i += 2
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    static func isSpace(_ b: UInt8) -> Bool {
        b == 32 || b == 9 || b == 13 || b == 10 || b == 11 || b == 12
    }

    /// Splits off the first whitespace-delimited word; the rest has its leading space removed.
    static func splitWord(_ text: Substring) -> (Substring, Substring) {
        guard let space = text.utf8.firstIndex(where: { isSpace($0) }) else { return (text, "") }
        var rest = text[space...]
        while let first = rest.utf8.first, isSpace(first) { rest = rest.dropFirst() }
        return (text[..<space], rest)
    }

    // MARK: - Directives

    private mutating func handle(_ line: String, _ location: SourceLocation, into config: inout RuleConfiguration) {
        var text = Substring(line)
        if text.hasPrefix("lang") {
            let (word, rest) = Self.splitWord(text)
            if word == "lang" {
                let (language, directive) = Self.splitWord(rest)
                if directive.isEmpty { return }
                guard Self.language.lowercased().hasPrefix(language.lowercased()) else { return }
                text = directive
            }
        }
        let (word, value) = Self.splitWord(text)
        var key = word.lowercased()
        if key.utf8.contains(UInt8(ascii: "-")) { key = String(key.map { $0 == "-" ? "_" : $0 }) }

        func error(_ message: String) { config.parserState.diagnostics.append(LintMessage(.error, location, message)) }
        func warning(_ message: String) { config.parserState.diagnostics.append(LintMessage(.warning, location, message)) }

        switch key {
        case "endif":
            guard value.isEmpty else { return error("'endif' must be standalone") }
            guard let last = conditionals.popLast() else { return error("'endif' without 'if'") }
            skipping = last.skipping
            return
        case "ifplugin", "if":
            guard !value.isEmpty else { return error("missing '\(key)' condition") }
            conditionals.append((skipping, location.line, key))
            if skipping { return }
            let state = config.parserState
            let evaluator = ConditionExpression(pluginLoaded: { state.pluginsAvailable.contains($0) })
            let expression = key == "if" ? String(value) : "plugin(\(value))"
            do {
                if try !evaluator.evaluate(expression) { skipping = true }
            } catch {
                if case .syntax(let why) = error { warning("cannot evaluate condition '\(value)': \(why)") }
                skipping = true
            }
            return
        case "else":
            guard value.isEmpty else { return error("'else' must be standalone") }
            guard !conditionals.isEmpty else { return error("'else' without 'if'") }
            skipping = conditionals.contains { $0.skipping } ? true : !skipping
            return
        default:
            break
        }
        if skipping || skipRestOfFile { return }

        let name = String(value)
        switch key {
        case "include":
            guard !value.isEmpty else { return error("missing 'include' value") }
            include(name, location, into: &config)
        case "require_version":
            if value != "@@VERSION@@" && value != "4.000001" {
                warning("file requires SpamAssassin version \(value), this is 4.000001 (skipping the rest of the file)")
                skipRestOfFile = true
            }
        case "loadplugin", "tryplugin":
            let (plugin, _) = Self.splitWord(value)
            guard !plugin.isEmpty else { return error("missing plugin name") }
            config.loadedPlugins.insert(ConditionExpression.canonicalPlugin(String(plugin)))
        case "header", "body", "rawbody", "uri", "full", "mimeheader", "meta":
            parseRule(kind: RuleKind(rawValue: key)!, value, location, into: &config)
        case "score":
            parseScore(value, location, into: &config)
        case "describe":
            let (rule, text) = Self.splitWord(value)
            guard !rule.isEmpty else { return error("describe: missing rule name") }
            config.parserState.describes[String(rule)] = String(text)
        case "tflags":
            let (rule, words) = Self.splitWord(value)
            guard !rule.isEmpty else { return error("tflags: missing rule name") }
            config.parserState.tflags[String(rule)] = words.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        case "priority":
            let (rule, number) = Self.splitWord(value)
            guard let priority = Int(number) else { return error("priority: '\(value)' needs a rule name and an integer") }
            config.parserState.priorities[String(rule)] = priority
        case "required_score", "required_hits":
            guard let score = Double(value) else { return error("\(key): '\(value)' is not a number") }
            config.requiredScore = score
        case "rewrite_header":
            let (header, string) = Self.splitWord(value)
            let canonical = header.prefix(1).uppercased() + header.dropFirst().lowercased()
            guard ["Subject", "From", "To"].contains(canonical) else {
                return error("rewrite_header: '\(header)' is not Subject, From or To")
            }
            if string.allSatisfy({ $0 == " " || $0 == "\t" }) {
                config.rewriteHeaders[canonical] = nil
            } else {
                config.rewriteHeaders[canonical] = canonical == "Subject"
                    ? String(string) : String(string.map { $0 == "(" ? "[" : $0 == ")" ? "]" : $0 })
            }
        case "add_header":
            let (when, rest) = Self.splitWord(value)
            let (header, headerValue) = Self.splitWord(rest)
            guard ["ham", "spam", "all"].contains(when), !header.isEmpty,
                  header.utf8.allSatisfy({ RegexLiteral.isWordByte($0) || $0 == UInt8(ascii: "-") }) else {
                return error("add_header: expected 'spam|ham|all Name Value'")
            }
            var text = headerValue
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = text.dropFirst().dropLast() }
            config.addHeaders.removeAll { $0.when == String(when) && $0.name.lowercased() == header.lowercased() }
            config.addHeaders.append((when: String(when), name: String(header), value: String(text)))
        case "remove_header":
            let (when, header) = Self.splitWord(value)
            config.addHeaders.removeAll {
                (when == "all" || $0.when == String(when)) && $0.name.lowercased() == header.lowercased()
            }
        case "clear_headers":
            config.addHeaders.removeAll()
        case "trusted_networks", "internal_networks", "msa_networks":
            let networks = Self.words(value)
            for spec in networks {
                do {
                    _ = try CIDR(spec.hasPrefix("!") ? String(spec.dropFirst()) : spec)
                } catch let failure {
                    error("\(key): \(failure)")
                }
            }
            switch key {
            case "trusted_networks": config.trustedNetworks += networks
            case "internal_networks": config.internalNetworks += networks
            default: config.msaNetworks += networks
            }
        case "clear_trusted_networks":
            config.trustedNetworks.removeAll()
        case "clear_internal_networks":
            config.internalNetworks.removeAll()
        case "clear_msa_networks":
            config.msaNetworks.removeAll()
        case "welcomelist_from", "whitelist_from":
            config.welcomelistFrom += Self.words(value)
        case "unwelcomelist_from", "unwhitelist_from":
            let remove = Set(Self.words(value).map { $0.lowercased() })
            config.welcomelistFrom.removeAll { remove.contains($0.lowercased()) }
        case "blocklist_from", "blacklist_from":
            config.blocklistFrom += Self.words(value)
        case "unblocklist_from", "unblacklist_from":
            let remove = Set(Self.words(value).map { $0.lowercased() })
            config.blocklistFrom.removeAll { remove.contains($0.lowercased()) }
        case "welcomelist_from_rcvd", "whitelist_from_rcvd":
            let words = Self.words(value)
            guard words.count == 2 else { return error("\(key): expected 'ADDRESS RELAY-DOMAIN'") }
            config.welcomelistFromRcvd.append((address: words[0], relayDomain: words[1]))
        case "replace_start":
            config.parserState.replaceStart = name
        case "replace_end":
            config.parserState.replaceEnd = name
        case "replace_tag", "replace_pre", "replace_inter", "replace_post":
            let (tag, expression) = Self.splitWord(value)
            guard !tag.isEmpty else { return error("\(key): missing tag name") }
            switch key {
            case "replace_tag": config.parserState.replaceTags[String(tag)] = String(expression)
            case "replace_pre": config.parserState.replacePre[String(tag)] = String(expression)
            case "replace_inter": config.parserState.replaceInter[String(tag)] = String(expression)
            default: config.parserState.replacePost[String(tag)] = String(expression)
            }
        case "replace_rules":
            guard !value.isEmpty else { return error("replace_rules: missing rule names") }
            config.parserState.replaceRules.formUnion(Self.words(value))
        default:
            guard KnownDirectives.isKnown(key) else {
                return warning("unknown directive '\(word)'")
            }
            config.directives[Self.canonicalDirective(key), default: []].append((value: name, location: location))
        }
    }

    /// The SpamAssassin 4 spelling of a renamed directive (`whitelist_*` → `welcomelist_*`,
    /// `blacklist_*` → `blocklist_*`), so consumers look a setting up under one name.
    static func canonicalDirective(_ key: String) -> String {
        var renamed = key
        if key.contains("whitelist") { renamed = key.replacingAll("whitelist", with: "welcomelist") }
        if key.contains("blacklist") { renamed = renamed.replacingAll("blacklist", with: "blocklist") }
        return renamed != key && KnownDirectives.names.contains(renamed) ? renamed : key
    }

    static func words(_ text: Substring) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }

    private mutating func include(_ path: String, _ location: SourceLocation, into config: inout RuleConfiguration) {
        func error(_ message: String) { config.parserState.diagnostics.append(LintMessage(.error, location, message)) }
        guard includeDepth < Self.maxIncludeDepth else { return error("include nested too deeply: \(path)") }
        var resolved = path
        if !path.hasPrefix("/") {
            if let slash = file.lastIndex(of: "/") {
                resolved = String(file[...slash]) + path
            }
        }
        guard let bytes = RuleLoader.readFile(resolved) else { return error("cannot read included file \(resolved)") }
        var parser = RuleFileParser(file: resolved, includeDepth: includeDepth + 1)
        parser.parse(bytes, into: &config)
    }

    // MARK: - Rules and scores

    private mutating func parseRule(kind: RuleKind, _ value: Substring, _ location: SourceLocation,
                                    into config: inout RuleConfiguration) {
        func error(_ message: String) { config.parserState.diagnostics.append(LintMessage(.error, location, message)) }
        let (nameText, rest) = Self.splitWord(value)
        let name = String(nameText)
        guard Self.isRuleName(name) else {
            return error("\(kind.rawValue): invalid rule name '\(name)'")
        }
        guard !rest.isEmpty else { return error("\(kind.rawValue) \(name): missing test") }

        let test: RuleTest
        switch kind {
        case .meta:
            test = .meta(String(rest))
        case .header where rest.hasPrefix("exists:"):
            var header = rest.dropFirst("exists:".count)
            if header.hasSuffix(":") { header = header.dropLast() }
            guard !header.isEmpty, header.utf8.allSatisfy(Self.isHeaderNameByte) else {
                return error("header \(name): invalid header name in 'exists:\(header)'")
            }
            test = .headerExists(String(header))
        case _ where rest.hasPrefix("eval:") || (kind == .header && rest.hasPrefix("rbleval:")):
            let call = rest[rest.index(after: rest.firstIndex(of: ":")!)...]
            guard let eval = Self.parseEval(call) else {
                return error("\(kind.rawValue) \(name): malformed eval call '\(call)'")
            }
            test = .eval(eval)
        case .header, .mimeheader:
            switch Self.parseHeaderTest(rest, mime: kind == .mimeheader) {
            case .failure(let message):
                return error("\(kind.rawValue) \(name): \(message)")
            case .success(let parsed):
                test = kind == .header
                    ? .header(parsed.selector, parsed.regex, negated: parsed.negated, ifUnset: parsed.ifUnset)
                    : .mimeHeader(parsed.selector, parsed.regex, negated: parsed.negated, ifUnset: parsed.ifUnset)
            }
        default:
            switch RegexLiteral.parse(rest) {
            case .failure(let failure): return error("\(kind.rawValue) \(name): \(failure.message): \(rest)")
            case .success(let regex): test = .regex(regex)
            }
        }
        if config.parserState.definitions[name] == nil { config.parserState.order.append(name) }
        config.parserState.definitions[name] = RuleDefinition(name: name, kind: kind, test: test, location: location)
    }

    struct HeaderTest {
        var selector: HeaderSelector
        var regex: PerlRegex
        var negated: Bool
        var ifUnset: String?
    }

    enum ParseResult<T> {
        case success(T)
        case failure(String)
    }

    /// `Name[:mod[:mod]] =~ /re/flags [if-unset: TEXT]` (header) or `Name[:raw] =~ …` (mimeheader).
    static func parseHeaderTest(_ text: Substring, mime: Bool) -> ParseResult<HeaderTest> {
        let b = Array(text.utf8)
        var i = 0
        while i < b.count, mime ? (b[i] != UInt8(ascii: ":") && !isSpace(b[i]) && b[i] != UInt8(ascii: "=") && b[i] != UInt8(ascii: "!")) : isHeaderNameByte(b[i]) {
            i += 1
        }
        guard i > 0 else { return .failure("missing header name") }
        let headerName = String(decoding: b[0..<i], as: UTF8.self)
        var modifiers: [HeaderModifier] = []
        var modifierCount = 0
        while i < b.count, b[i] == UInt8(ascii: ":") {
            i += 1
            var j = i
            while j < b.count, b[j] >= UInt8(ascii: "a") && b[j] <= UInt8(ascii: "z") { j += 1 }
            if j == i { break }  // a lone trailing ':' is allowed
            let word = String(decoding: b[i..<j], as: UTF8.self)
            modifierCount += 1
            guard modifierCount <= 2 else { return .failure("too many header modifiers") }
            if mime && word != "raw" { return .failure("invalid mimeheader modifier ':\(word)'") }
            switch word {
            case "raw": modifiers.append(.raw)
            case "addr": modifiers.append(.addr)
            case "name": modifiers.append(.name)
            case "host": modifiers.append(.host)
            case "domain": modifiers.append(.domain)
            case "ip": modifiers.append(.ip)
            case "revip": modifiers.append(.revip)
            case "first", "last": return .failure("header modifier ':\(word)' is not supported by Moat")
            default: return .failure("invalid header modifier ':\(word)'")
            }
            i = j
        }
        while i < b.count, isSpace(b[i]) { i += 1 }
        guard i + 1 < b.count, b[i] == UInt8(ascii: "=") || b[i] == UInt8(ascii: "!"), b[i + 1] == UInt8(ascii: "~") else {
            return .failure("expected 'Header =~ /regex/' or 'Header !~ /regex/'")
        }
        let negated = b[i] == UInt8(ascii: "!")
        i += 2
        while i < b.count, isSpace(b[i]) { i += 1 }
        guard i < b.count else { return .failure("missing regex") }
        var pattern = Substring(String(decoding: b[i...], as: UTF8.self))
        var ifUnset: String?
        if pattern.hasSuffix("]"), let split = ifUnsetStart(pattern) {
            var unset = pattern[split.valueStart...].dropLast()
            while let first = unset.first, first == " " || first == "\t" { unset = unset.dropFirst() }
            ifUnset = String(unset)
            pattern = pattern[..<split.start]
            while let last = pattern.last, last == " " || last == "\t" { pattern = pattern.dropLast() }
        }
        switch RegexLiteral.parse(pattern) {
        case .failure(let failure): return .failure("\(failure.message): \(pattern)")
        case .success(let regex):
            return .success(HeaderTest(selector: HeaderSelector(name: headerName, modifiers: modifiers),
                                       regex: regex, negated: negated, ifUnset: ifUnset))
        }
    }

    /// The first `\s+[if-unset:\s+` in the text: where the pattern ends and where the value starts.
    private static func ifUnsetStart(_ text: Substring) -> (start: Substring.Index, valueStart: Substring.Index)? {
        var search = text.startIndex
        while let range = text[search...].firstRange(of: "[if-unset:") {
            let before = range.lowerBound
            if before > text.startIndex, let prev = text[..<before].last, prev == " " || prev == "\t",
               let next = text[range.upperBound...].first, next == " " || next == "\t" {
                return (before, range.upperBound)
            }
            search = range.upperBound
        }
        return nil
    }

    /// `fn(args)`: the name is `\w+`; arguments split at commas outside quotes, quotes removed.
    static func parseEval(_ text: Substring) -> EvalCall? {
        var call = text
        while let last = call.last, last == " " || last == "\t" { call = call.dropLast() }
        guard let open = call.firstIndex(of: "("), call.last == ")" else { return nil }
        let function = call[..<open]
        guard !function.isEmpty, function.utf8.allSatisfy(RegexLiteral.isWordByte) else { return nil }
        let inner = Array(call[call.index(after: open)..<call.index(before: call.endIndex)].utf8)
        var arguments: [String] = []
        var current: [UInt8] = []
        var quote: UInt8? = nil
        var sawAny = false
        func flush() {
            var start = 0, end = current.count
            while start < end, isSpace(current[start]) { start += 1 }
            while end > start, isSpace(current[end - 1]) { end -= 1 }
            var value = Array(current[start..<end])
            if value.count >= 2, let first = value.first, first == UInt8(ascii: "'") || first == UInt8(ascii: "\""),
               value.last == first {
                value = Array(value[1..<(value.count - 1)])
            }
            arguments.append(String(decoding: value, as: UTF8.self))
            current.removeAll(keepingCapacity: true)
        }
        for byte in inner {
            if let q = quote {
                current.append(byte)
                if byte == q { quote = nil }
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
                current.append(byte)
                sawAny = true
            } else if byte == UInt8(ascii: ",") {
                flush()
                sawAny = true
            } else {
                if !isSpace(byte) { sawAny = true }
                current.append(byte)
            }
        }
        if sawAny { flush() }
        return EvalCall(function: String(function), arguments: arguments)
    }

    private mutating func parseScore(_ value: Substring, _ location: SourceLocation, into config: inout RuleConfiguration) {
        func error(_ message: String) { config.parserState.diagnostics.append(LintMessage(.error, location, message)) }
        let words = Self.words(value)
        guard words.count == 2 || words.count == 5 else {
            return error("score: requires a rule name and 1 or 4 scores")
        }
        let rule = words[0]
        var relative = false
        var values: [Double] = []
        for word in words.dropFirst() {
            var text = Substring(word)
            if text.hasPrefix("("), text.hasSuffix(")") {
                relative = true
                text = text.dropFirst().dropLast()
            }
            guard Self.isPerlScore(text), let number = Double(text) else {
                return error("score \(rule): '\(word)' is not a number")
            }
            values.append(number)
        }
        if relative {
            guard let previous = config.parserState.scores[rule] else {
                return error("score \(rule): relative score without a previous score")
            }
            let base = previous.values.count == 4 ? previous.values : Array(repeating: previous.values[0], count: 4)
            let added = values.count == 4 ? values : Array(repeating: values[0], count: 4)
            values = zip(base, added).map { $0 + $1 }
            if Set(values).count == 1 { values = [values[0]] }
        }
        config.parserState.scores[rule] = RuleParserState.Scores(values: values, location: location)
    }

    /// SpamAssassin's score syntax: `-?\d+(\.\d+)?`.
    private static func isPerlScore(_ text: Substring) -> Bool {
        var digits = text.utf8[...]
        if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        let parts = digits.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0 >= 48 && $0 <= 57 } }
    }

    /// `[_a-zA-Z][_a-zA-Z0-9]{0,127}`
    static func isRuleName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 128,
              first == UInt8(ascii: "_") || (first | 0x20 >= UInt8(ascii: "a") && first | 0x20 <= UInt8(ascii: "z")) else {
            return false
        }
        return name.utf8.allSatisfy(RegexLiteral.isWordByte)
    }

    static func isHeaderNameByte(_ b: UInt8) -> Bool {
        RegexLiteral.isWordByte(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-")
    }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
