/// What an `eval:` function sees: the message, its arguments as written in the rule, and
/// the rule's own name (some functions key shared state by it).
public struct EvalInput {
    public let subject: any RuleSubject
    public let arguments: [String]
    public let ruleName: String
    public let kind: RuleKind
    /// `subject` when it is an SAMessage (per-message memo, parsed structures), resolved
    /// once per message by the caller rather than cast in every function.
    let message: SAMessage?

    public init(subject: any RuleSubject, arguments: [String], ruleName: String, kind: RuleKind) {
        self.init(subject: subject, message: subject as? SAMessage, arguments: arguments, ruleName: ruleName, kind: kind)
    }

    init(subject: any RuleSubject, message: SAMessage?, arguments: [String], ruleName: String, kind: RuleKind) {
        self.subject = subject
        self.message = message
        self.arguments = arguments
        self.ruleName = ruleName
        self.kind = kind
    }
}

/// An `eval:` implementation: returns how many times the rule hits (0 = no hit), as
/// SpamAssassin's eval functions return true/false (or a count for `multiple` rules).
public typealias EvalFunction = @Sendable (EvalInput) -> Int

/// The `eval:` functions Moat implements, by name. A rule calling a function not in the
/// registry is skipped and reported by lint, never guessed at.
public struct EvalRegistry: Sendable {
    public private(set) var functions: [String: EvalFunction] = [:]

    public init() {}

    public mutating func register(_ name: String, _ function: @escaping EvalFunction) {
        functions[name] = function
    }

    public subscript(name: String) -> EvalFunction? { functions[name] }
}
