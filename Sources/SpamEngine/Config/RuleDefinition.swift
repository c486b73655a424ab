/// Where a directive was written, for lint and error messages.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// A Perl regular expression as written in a `.cf` file: `/pattern/flags` or `m{pattern}flags`.
public struct PerlRegex: Sendable, Hashable {
    /// The pattern between the delimiters, unchanged (escapes kept).
    public var pattern: String
    /// Modifier letters after the closing delimiter (`i`, `s`, `m`, `x`, …).
    public var flags: String

    public init(pattern: String, flags: String) {
        self.pattern = pattern
        self.flags = flags
    }
}

/// Which form of a header a `header` rule reads (SpamAssassin's `Name:modifier`).
public enum HeaderModifier: String, Sendable, Hashable {
    /// RFC 2047 decoded, unfolded (the default).
    case decoded
    /// `:raw`: as in the message, folding and encoding kept.
    case raw
    /// `:addr`: the first address in the header.
    case addr
    /// `:name`: the display name of the first address.
    case name
    /// `:host` / `:domain` / `:ip` / `:revip`: SpamAssassin 4 forms for address-like headers.
    case host, domain, ip, revip
}

/// What a `header` rule reads: a header name or one of SpamAssassin's pseudo-headers
/// (`ALL`, `ToCc`, `EnvelopeFrom`, `MESSAGEID`, `ALL-TRUSTED`, …), with a modifier.
public struct HeaderSelector: Sendable, Hashable {
    public var name: String
    public var modifiers: [HeaderModifier]

    public init(name: String, modifiers: [HeaderModifier] = []) {
        self.name = name
        self.modifiers = modifiers
    }
}

/// An `eval:` call: function name and its literal arguments (strings unquoted, numbers as written).
public struct EvalCall: Sendable, Equatable {
    public var function: String
    public var arguments: [String]

    public init(function: String, arguments: [String]) {
        self.function = function
        self.arguments = arguments
    }
}

/// What a rule tests.
public enum RuleTest: Sendable, Equatable {
    /// `header NAME Selector =~ /re/` (or `!~`), with `[if-unset: TEXT]`.
    case header(HeaderSelector, PerlRegex, negated: Bool, ifUnset: String?)
    /// `header NAME exists:Header-Name`
    case headerExists(String)
    /// `body`, `rawbody`, `uri`, `full` regex rules; the kind says which text.
    case regex(PerlRegex)
    /// `mimeheader NAME Header =~ /re/` (matched against every MIME part's header).
    case mimeHeader(HeaderSelector, PerlRegex, negated: Bool, ifUnset: String?)
    /// `header|body|rawbody|uri|full NAME eval:function(args)`
    case eval(EvalCall)
    /// `meta NAME expression` — the expression text, parsed by the evaluator.
    case meta(String)
}

/// The text a rule is matched against.
public enum RuleKind: String, Sendable, Equatable, CaseIterable {
    case header, body, rawbody, uri, full, mimeheader, meta
}

/// One rule after every file was read: its test, score, description and flags.
public struct RuleDefinition: Sendable, Equatable {
    public var name: String
    public var kind: RuleKind
    public var test: RuleTest
    /// Where the test was (last) defined.
    public var location: SourceLocation
    /// One score, or four (no-Bayes/no-net, no-Bayes/net, Bayes/no-net, Bayes/net), as set
    /// by `score`; nil when no `score` line was seen (SpamAssassin's default is 1.0, or 0.01
    /// for rules whose name starts with `T_`, and 0 for `__` sub-rules).
    public var scores: [Double]?
    public var describe: String?
    /// `tflags` words: `nice`, `net`, `learn`, `userconf`, `noautolearn`, `multiple`,
    /// `maxhits=N`, `publish`, `a`, `nopublish`, …
    public var tflags: [String]
    public var priority: Int

    public init(name: String, kind: RuleKind, test: RuleTest, location: SourceLocation,
                scores: [Double]? = nil, describe: String? = nil, tflags: [String] = [], priority: Int = 0) {
        self.name = name
        self.kind = kind
        self.test = test
        self.location = location
        self.scores = scores
        self.describe = describe
        self.tflags = tflags
        self.priority = priority
    }

    /// `__NAME` rules are sub-rules: evaluated for metas, never scored or reported.
    public var isSubRule: Bool { name.hasPrefix("__") }
}
