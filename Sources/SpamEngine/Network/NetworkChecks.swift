import MoatCore
import DNS

/// One DNS question of a network test.
public struct DNSQuery: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var type: DNSRecordType

    public init(_ name: String, _ type: DNSRecordType) {
        self.name = name.lowercased()
        self.type = type
    }

    public var description: String { "\(type.rawValue) \(name)" }
}

/// What came back within the budget. A query in none of the three is one that never
/// started (not asked).
public struct NetworkAnswers: Sendable {
    /// Answered queries: records (empty for NXDOMAIN/NODATA).
    public var answers: [DNSQuery: [String]] = [:]
    /// Queries that failed in time (timeout of the single lookup, SERVFAIL, REFUSED…).
    public var failures: [DNSQuery: DNSError] = [:]
    /// Queries still outstanding when the budget ran out; their late answers are ignored.
    public var unanswered: Set<DNSQuery> = []

    public init() {}

    public subscript(query: DNSQuery) -> [String]? { answers[query] }
}

/// Runs the DNS lookups of one message under a time budget (SpamAssassin's
/// `rbl_timeout`/master deadline): every lookup is issued at once, answers are collected
/// until all are in or the budget ends, whichever is first. Lookups still running then
/// are cancelled and reported in `unanswered`; the resolver's cache serves repeats.
public enum NetworkChecks {
    public static func run(_ queries: [DNSQuery], resolver: any Resolver, budget: Duration) async -> NetworkAnswers {
        var seen = Set<DNSQuery>()
        let unique = queries.filter { seen.insert($0).inserted }
        guard !unique.isEmpty else { return NetworkAnswers() }
        return await withCheckedContinuation { continuation in
            let collector = Collector(queries: unique, continuation: continuation)
            var tasks: [Task<Void, Never>] = []
            for query in unique {
                tasks.append(Task {
                    do {
                        let records = try await resolver.lookup(query.name, type: query.type)
                        collector.record(query, .success(records))
                    } catch let error as DNSError {
                        collector.record(query, .failure(error))
                    } catch {
                        collector.record(query, .failure(.other(code: -1, text: "\(error)")))
                    }
                })
            }
            tasks.append(Task {
                try? await Task.sleep(for: budget)
                collector.finish()
            })
            collector.track(tasks)
        }
    }

    /// Gathers results; the first of "all answered" and "budget over" resumes the caller,
    /// once, and cancels what is still running.
    private final class Collector: Sendable {
        private struct State {
            var result = NetworkAnswers()
            var remaining: Int
            var continuation: CheckedContinuation<NetworkAnswers, Never>?
            var tasks: [Task<Void, Never>] = []
        }

        private let state: Locked<State>

        init(queries: [DNSQuery], continuation: CheckedContinuation<NetworkAnswers, Never>) {
            var initial = State(remaining: queries.count, continuation: continuation)
            initial.result.unanswered = Set(queries)
            state = Locked(initial)
        }

        func track(_ tasks: [Task<Void, Never>]) {
            let finished = state.withLock { s -> Bool in
                if s.continuation == nil { return true }
                s.tasks = tasks
                return false
            }
            if finished { tasks.forEach { $0.cancel() } }
        }

        func record(_ query: DNSQuery, _ outcome: Result<[String], DNSError>) {
            let done = state.withLock { s -> Bool in
                guard s.continuation != nil else { return false }  // late: ignored
                s.result.unanswered.remove(query)
                switch outcome {
                case .success(let records): s.result.answers[query] = records
                case .failure(let error): s.result.failures[query] = error
                }
                s.remaining -= 1
                return s.remaining == 0
            }
            if done { finish() }
        }

        func finish() {
            let taken = state.withLock { s -> (CheckedContinuation<NetworkAnswers, Never>, NetworkAnswers, [Task<Void, Never>])? in
                guard let c = s.continuation else { return nil }
                s.continuation = nil
                defer { s.tasks = [] }
                return (c, s.result, s.tasks)
            }
            guard let (continuation, result, tasks) = taken else { return }
            tasks.forEach { $0.cancel() }
            continuation.resume(returning: result)
        }
    }
}
