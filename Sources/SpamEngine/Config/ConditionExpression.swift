/// Evaluates the expressions of `if` / `ifplugin` lines the way Conf/Parser.pm's
/// `handle_conditional` does: tokens are numbers, names (`version`, `perl_version`,
/// `plugin`, `can`, `has`, class names), parentheses and operators, and the result is
/// Perl truth. Moat answers as SpamAssassin 4.0.1 would.
struct ConditionExpression {
    /// `version` in a condition: SpamAssassin 4.0.1.
    static let version = 4.000001
    /// `perl_version` in a condition (`$]`), Debian's perl 5.36.
    static let perlVersion = 5.036000

    /// `Mail::SpamAssassin::Conf::feature_*` subs of SpamAssassin 4.0.1 (Conf.pm), and the
    /// other true-returning subs rules test with `can(...)`.
    static let confFunctions: Set<String> = [
        "feature_originating_ip_headers", "feature_dns_local_ports_permit_avoid",
        "feature_bayes_auto_learn_on_error", "feature_uri_host_listed", "feature_yesno_takes_args",
        "feature_bug6558_free", "feature_edns", "feature_dns_query_restriction",
        "feature_registryboundaries", "feature_geodb", "feature_dns_block_rule",
        "feature_compile_regexp", "feature_meta_rules_matching", "feature_subjprefix",
        "feature_bayes_stopwords", "feature_get_host", "feature_blocklist_welcomelist",
        "feature_welcomelist_blocklist", "feature_header_address_parser",
        "feature_local_tests_only", "feature_header_first_last", "feature_header_match_many",
        "feature_capture_rules", "perl_min_version_5010000",
    ]

    enum Failure: Error { case syntax(String) }

    /// Is `name` a loaded plugin (SpamAssassin's `plugins_loaded`)?
    let pluginLoaded: (String) -> Bool

    func evaluate(_ text: String) throws(Failure) -> Bool {
        var parser = Parser(tokens: try Self.tokenize(text), pluginLoaded: pluginLoaded)
        let value = try parser.expression(minPrecedence: 0)
        guard parser.position == parser.tokens.count else {
            throw .syntax("unexpected '\(parser.tokens[parser.position])'")
        }
        return value.truth
    }

    /// Plugin names as Conf.pm rewrites them (renamed plugins).
    static func canonicalPlugin(_ name: String) -> String {
        switch name {
        case "Mail::SpamAssassin::Plugin::Dmarc": return "Mail::SpamAssassin::Plugin::DMARC"
        case "Mail::SpamAssassin::Plugin::WhiteListSubject": return "Mail::SpamAssassin::Plugin::WelcomeListSubject"
        default: return name
        }
    }

    // MARK: - Tokens

    enum Token: Equatable, CustomStringConvertible {
        case number(Double)
        case name(String)
        case op(String)

        var description: String {
            switch self {
            case .number(let n): return "\(n)"
            case .name(let s), .op(let s): return s
            }
        }
    }

    static func tokenize(_ text: String) throws(Failure) -> [Token] {
        let b = Array(text.utf8)
        var tokens: [Token] = []
        var i = 0
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        while i < b.count {
            let c = b[i]
            if c == 32 || c == 9 { i += 1; continue }
            if isDigit(c) || c == UInt8(ascii: ".") {
                var j = i
                while j < b.count, isDigit(b[j]) || b[j] == UInt8(ascii: ".") { j += 1 }
                guard let value = Double(String(decoding: b[i..<j], as: UTF8.self)) else {
                    throw .syntax("bad number")
                }
                tokens.append(.number(value))
                i = j
            } else if RegexLiteral.isWordByte(c) {
                var j = i
                while j < b.count, RegexLiteral.isWordByte(b[j]) || b[j] == UInt8(ascii: ":") { j += 1 }
                tokens.append(.name(String(decoding: b[i..<j], as: UTF8.self)))
                i = j
            } else {
                let two = i + 1 < b.count ? String(decoding: b[i...(i + 1)], as: UTF8.self) : ""
                if ["&&", "||", "==", "!=", ">=", "<=", "<=>"].contains(two) {
                    tokens.append(.op(two))
                    i += 2
                } else if "()!<>+-*/".utf8.contains(c) {
                    tokens.append(.op(String(UnicodeScalar(c))))
                    i += 1
                } else {
                    throw .syntax("unparseable character '\(String(UnicodeScalar(c)))'")
                }
            }
        }
        return tokens
    }

    // MARK: - Precedence climbing over Perl operators

    enum Value {
        case number(Double)
        case string(String)

        var truth: Bool {
            switch self {
            case .number(let n): return n != 0
            case .string(let s): return !s.isEmpty && s != "0"
            }
        }
        var number: Double {
            switch self {
            case .number(let n): return n
            case .string(let s): return Double(s) ?? 0
            }
        }
    }

    struct Parser {
        let tokens: [Token]
        let pluginLoaded: (String) -> Bool
        var position = 0

        init(tokens: [Token], pluginLoaded: @escaping (String) -> Bool) {
            self.tokens = tokens
            self.pluginLoaded = pluginLoaded
        }

        static func precedence(_ op: String) -> Int? {
            switch op {
            case "||": return 1
            case "&&": return 2
            case "==", "!=": return 3
            case "<", ">", "<=", ">=": return 4
            case "+", "-": return 5
            case "*", "/": return 6
            default: return nil
            }
        }

        mutating func expression(minPrecedence: Int) throws(Failure) -> Value {
            var left = try unary()
            while position < tokens.count, case .op(let op) = tokens[position],
                  let prec = Self.precedence(op), prec >= minPrecedence {
                position += 1
                let right = try expression(minPrecedence: prec + 1)
                left = Self.apply(op, left, right)
            }
            return left
        }

        static func apply(_ op: String, _ l: Value, _ r: Value) -> Value {
            func b(_ v: Bool) -> Value { .number(v ? 1 : 0) }
            switch op {
            case "||": return l.truth ? l : r
            case "&&": return l.truth ? r : l
            case "==": return b(l.number == r.number)
            case "!=": return b(l.number != r.number)
            case "<": return b(l.number < r.number)
            case ">": return b(l.number > r.number)
            case "<=": return b(l.number <= r.number)
            case ">=": return b(l.number >= r.number)
            case "+": return .number(l.number + r.number)
            case "-": return .number(l.number - r.number)
            case "*": return .number(l.number * r.number)
            default: return .number(r.number == 0 ? 0 : l.number / r.number)
            }
        }

        mutating func unary() throws(Failure) -> Value {
            guard position < tokens.count else { throw .syntax("unexpected end of condition") }
            let token = tokens[position]
            position += 1
            switch token {
            case .op("!"):
                return .number(try unary().truth ? 0 : 1)
            case .op("-"):
                return .number(-(try unary().number))
            case .op("("):
                let value = try expression(minPrecedence: 0)
                try expect(")")
                return value
            case .number(let n):
                return .number(n)
            case .name("version"):
                return .number(ConditionExpression.version)
            case .name("perl_version"):
                return .number(ConditionExpression.perlVersion)
            case .name("local_tests_only"):
                return .number(0)
            case .name(let fn) where fn == "plugin" || fn == "can" || fn == "has":
                try expect("(")
                guard position < tokens.count, case .name(let argument) = tokens[position] else {
                    throw .syntax("\(fn)() needs a name")
                }
                position += 1
                try expect(")")
                return .number(call(fn, argument) ? 1 : 0)
            case .name(let s):
                return .string(s)
            case .op(let op):
                throw .syntax("unexpected '\(op)'")
            }
        }

        mutating func expect(_ op: String) throws(Failure) {
            guard position < tokens.count, tokens[position] == .op(op) else {
                throw .syntax("expected '\(op)'")
            }
            position += 1
        }

        func call(_ fn: String, _ argument: String) -> Bool {
            if fn == "plugin" {
                if argument == "Mail::SpamAssassin::Plugin::RaciallyCharged" { return true }
                return pluginLoaded(ConditionExpression.canonicalPlugin(argument))
            }
            // can(Module::sub) / has(Module::sub)
            let parts = argument.split(separator: ":", omittingEmptySubsequences: true)
            guard parts.count >= 2, let last = parts.last else { return false }
            let module = parts.dropLast().joined(separator: "::")
            let sub = String(last)
            if module == "Mail::SpamAssassin::Conf" {
                if sub.hasPrefix("compat_") { return false }
                return ConditionExpression.confFunctions.contains(sub)
            }
            if module.hasPrefix("Mail::SpamAssassin::Plugin::") {
                // A plugin's `has_*` capability subs all exist in 4.0.1; they count when
                // the plugin itself is one Moat runs.
                return sub.hasPrefix("has_") && pluginLoaded(ConditionExpression.canonicalPlugin(module))
            }
            return false
        }
    }
}
