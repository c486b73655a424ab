/// A `meta` rule's expression, parsed once: rule names combined with Perl's operators
/// (`&& || ! + - * / < > <= >= == !=`, parentheses, numbers). Evaluated with Perl's value
/// semantics: `||` and `&&` yield an operand, not a boolean, so `(A || B) + C` counts.
///
/// Kept flat, in postfix order, so that evaluating the ~900 metas of the stock rules per
/// message walks arrays instead of chasing (and retaining) boxed tree nodes. `||` and
/// `&&` keep Perl's short circuit as jumps over their right operand.
struct MetaExpression: Sendable, Equatable {
    enum Step: Sendable, Equatable {
        case rule(Int)
        case number(Double)
        case not
        case negate
        case binary(MetaOperator)
        /// `&&` after its left operand: when that is 0 it is the result and the next
        /// `count` steps (the right operand) are skipped; otherwise it is dropped.
        case andSkip(Int)
        /// `||` after its left operand: the same when that is not 0.
        case orSkip(Int)
    }

    private(set) var steps: [Step]
    /// The most operands on the stack at once.
    private var depth: Int

    static func rule(_ index: Int) -> MetaExpression { MetaExpression(steps: [.rule(index)], depth: 1) }
    static func number(_ value: Double) -> MetaExpression { MetaExpression(steps: [.number(value)], depth: 1) }
    static func not(_ e: MetaExpression) -> MetaExpression { MetaExpression(steps: e.steps + [.not], depth: e.depth) }
    static func negate(_ e: MetaExpression) -> MetaExpression { MetaExpression(steps: e.steps + [.negate], depth: e.depth) }
    static func binary(_ op: MetaOperator, _ l: MetaExpression, _ r: MetaExpression) -> MetaExpression {
        switch op {
        case .and: return MetaExpression(steps: l.steps + [.andSkip(r.steps.count)] + r.steps, depth: max(l.depth, r.depth))
        case .or: return MetaExpression(steps: l.steps + [.orSkip(r.steps.count)] + r.steps, depth: max(l.depth, r.depth))
        default: return MetaExpression(steps: l.steps + r.steps + [.binary(op)], depth: max(l.depth, r.depth + 1))
        }
    }

    func evaluate(_ hits: UnsafeBufferPointer<Double>) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: depth) { stack in
            steps.withUnsafeBufferPointer { steps in
                var top = 0
                var pc = 0
                while pc < steps.count {
                    switch steps[pc] {
                    case .rule(let index):
                        stack[top] = hits[index]
                        top += 1
                    case .number(let value):
                        stack[top] = value
                        top += 1
                    case .not:
                        stack[top - 1] = stack[top - 1] == 0 ? 1 : 0
                    case .negate:
                        stack[top - 1] = -stack[top - 1]
                    case .binary(let op):
                        top -= 1
                        stack[top - 1] = Self.apply(op, stack[top - 1], stack[top])
                    case .andSkip(let count):
                        if stack[top - 1] == 0 { pc += count } else { top -= 1 }
                    case .orSkip(let count):
                        if stack[top - 1] != 0 { pc += count } else { top -= 1 }
                    }
                    pc += 1
                }
                return stack[0]
            }
        }
    }

    @inline(__always) private static func apply(_ op: MetaOperator, _ a: Double, _ b: Double) -> Double {
        switch op {
        case .or, .and: fatalError("|| and && are built as andSkip/orSkip jumps, never as binary steps")
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        case .divide: return b == 0 ? 0 : a / b
        case .less: return a < b ? 1 : 0
        case .greater: return a > b ? 1 : 0
        case .lessOrEqual: return a <= b ? 1 : 0
        case .greaterOrEqual: return a >= b ? 1 : 0
        case .equal: return a == b ? 1 : 0
        case .notEqual: return a != b ? 1 : 0
        }
    }

    /// Rule indices the expression reads, left to right.
    var dependencies: [Int] {
        steps.compactMap { if case .rule(let index) = $0 { index } else { nil } }
    }
}

/// A binary operator of a meta expression, resolved from its token once at parse time.
enum MetaOperator: String, Sendable, Equatable {
    case or = "||", and = "&&", equal = "==", notEqual = "!=", less = "<", greater = ">"
    case lessOrEqual = "<=", greaterOrEqual = ">=", add = "+", subtract = "-", multiply = "*", divide = "/"
}

/// Why a meta expression could not be parsed.
struct MetaParseError: Error, Equatable, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Recursive-descent parser with Perl's precedence: `!`/unary minus, `* /`, `+ -`,
/// `< > <= >=`, `== !=`, `&&`, `||`. Unknown rule names resolve through `lookup`; a name
/// it does not know (an undefined or disabled rule) reads as 0, as in SpamAssassin.
struct MetaParser {
    private var tokens: [String]
    private var position = 0
    private let lookup: (String) -> Int?
    private(set) var unknownNames: [String] = []

    init(_ text: String, lookup: @escaping (String) -> Int?) throws(MetaParseError) {
        self.tokens = try Self.tokenize(text)
        self.lookup = lookup
    }

    mutating func parse() throws(MetaParseError) -> MetaExpression {
        let e = try parseBinary(level: 0)
        guard position == tokens.count else { throw MetaParseError(message: "unexpected '\(tokens[position])'") }
        return e
    }

    private static let levels: [[String]] = [["||"], ["&&"], ["==", "!="], ["<", ">", "<=", ">="], ["+", "-"], ["*", "/"]]

    private mutating func parseBinary(level: Int) throws(MetaParseError) -> MetaExpression {
        if level == Self.levels.count { return try parseUnary() }
        var left = try parseBinary(level: level + 1)
        while position < tokens.count, Self.levels[level].contains(tokens[position]) {
            let op = MetaOperator(rawValue: tokens[position])!  // levels hold operator tokens only
            position += 1
            let right = try parseBinary(level: level + 1)
            left = .binary(op, left, right)
        }
        return left
    }

    private mutating func parseUnary() throws(MetaParseError) -> MetaExpression {
        guard position < tokens.count else { throw MetaParseError(message: "expression ends too early") }
        let token = tokens[position]
        position += 1
        switch token {
        case "!": return .not(try parseUnary())
        case "-": return .negate(try parseUnary())
        case "+": return try parseUnary()
        case "(":
            let inner = try parseBinary(level: 0)
            guard position < tokens.count, tokens[position] == ")" else { throw MetaParseError(message: "missing ')'") }
            position += 1
            return inner
        default:
            if let value = Double(token) { return .number(value) }
            guard token.first.map({ $0.isLetter || $0 == "_" }) == true else {
                throw MetaParseError(message: "unexpected '\(token)'")
            }
            if let index = lookup(token) { return .rule(index) }
            unknownNames.append(token)
            return .number(0)
        }
    }

    private static func tokenize(_ text: String) throws(MetaParseError) -> [String] {
        var tokens: [String] = []
        let chars = Array(text.unicodeScalars)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" { i += 1; continue }
            if c.properties.isAlphabetic || c == "_" || ("0"..."9").contains(c) || c == "." {
                var j = i
                while j < chars.count, chars[j].properties.isAlphabetic || chars[j] == "_"
                        || ("0"..."9").contains(chars[j]) || chars[j] == "." { j += 1 }
                tokens.append(String(String.UnicodeScalarView(chars[i..<j])))
                i = j
                continue
            }
            let two = i + 1 < chars.count ? String(String.UnicodeScalarView(chars[i...i + 1])) : ""
            if ["&&", "||", "<=", ">=", "==", "!="].contains(two) {
                tokens.append(two)
                i += 2
                continue
            }
            guard "!()+-*/<>".unicodeScalars.contains(c) else {
                throw MetaParseError(message: "invalid character '\(c)'")
            }
            tokens.append(String(c))
            i += 1
        }
        return tokens
    }
}
