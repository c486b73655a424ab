import XCTest
@testable import SpamEngine

/// Meta expressions with Perl's value semantics: `||` and `&&` yield an operand.
final class MetaExpressionTests: XCTestCase {
    private func value(_ text: String, _ hits: [String: Double]) throws -> Double {
        let names = ["A", "B", "C", "D"]
        var parser = try MetaParser(text) { names.firstIndex(of: $0) }
        let expression = try parser.parse()
        let counts = names.map { hits[$0] ?? 0 }
        return counts.withUnsafeBufferPointer { expression.evaluate($0) }
    }

    func testOperandValuesAndShortCircuits() throws {
        XCTAssertEqual(try value("(A || B) + C", ["A": 2, "B": 5, "C": 1]), 3)
        XCTAssertEqual(try value("(A || B) + C", ["B": 5, "C": 1]), 6)
        XCTAssertEqual(try value("A && B", ["A": 2, "B": 3]), 3)
        XCTAssertEqual(try value("A && B", ["B": 3]), 0)
        XCTAssertEqual(try value("(A && B) + (C || D) * 2", ["A": 1, "B": 4, "D": 3]), 10)
        XCTAssertEqual(try value("!A || B && C", ["A": 1, "B": 1, "C": 7]), 7)
        XCTAssertEqual(try value("!A || B && C", [:]), 1)
        XCTAssertEqual(try value("A || B || C", ["C": 4]), 4)
        XCTAssertEqual(try value("A && B && C", ["A": 1, "B": 2, "C": 3]), 3)
        XCTAssertEqual(try value("(A && B) || (C && D)", ["A": 1, "C": 2, "D": 5]), 5)
        XCTAssertEqual(try value("-A + B / C", ["A": 1, "B": 6]), -1)
        XCTAssertEqual(try value("A + B + C > 1", ["A": 1, "C": 1]), 1)
        XCTAssertEqual(try value("A - B * 2 >= 0 == 1", ["A": 1, "B": 1]), 0)
        XCTAssertEqual(try value("(A || 2) * (B && 3)", ["B": 1]), 6)
    }

    func testDependenciesInOrder() throws {
        var parser = try MetaParser("B && (A || C) + D") { ["A", "B", "C", "D"].firstIndex(of: $0) }
        XCTAssertEqual(try parser.parse().dependencies, [1, 0, 2, 3])
    }
}
