// spam-bench: times the spam engine alone (parse + SpamAssassin view + rules) on a corpus,
// single-threaded and on every core, in a release build. Prints figures; asserts nothing.
//
//   spam-bench [--rules DIR]... [--threads N] CORPUS_DIR...
//
// Network tests and Bayes are off so the figures compare with `spamc` against a spamd
// run with the same settings (Tools/sa/sa_truth.py).
import Foundation
import MIME
import SpamEngine

struct Options {
    var rules: [String] = []
    var threads = ProcessInfo.processInfo.activeProcessorCount
    var corpus: [String] = []
    var cache = NSTemporaryDirectory() + "moat-spam-bench-cache"
}

func parseOptions() -> Options {
    var options = Options()
    var args = CommandLine.arguments.dropFirst()
    while let arg = args.popFirst() {
        switch arg {
        case "--rules": if let v = args.popFirst() { options.rules.append(v) }
        case "--threads": options.threads = Int(args.popFirst() ?? "") ?? options.threads
        case "--cache": options.cache = args.popFirst() ?? options.cache
        default: options.corpus.append(arg)
        }
    }
    if options.rules.isEmpty { options.rules = ["Rules"] }
    return options
}

func loadCorpus(_ dirs: [String]) -> [[UInt8]] {
    var messages: [[UInt8]] = []
    for dir in dirs {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        for name in names where !name.hasSuffix(".md") {
            if let data = FileManager.default.contents(atPath: dir + "/" + name) { messages.append(Array(data)) }
        }
    }
    return messages
}

/// Resident set size in MiB, from /proc/self/statm.
func residentMiB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

let options = parseOptions()
let corpus = loadCorpus(options.corpus)
let before = residentMiB()
let compileStart = now()
let engine = RuleEngine(directories: options.rules, scoreSet: ScoreSet(bayes: false, network: false),
                        cacheDirectory: options.cache)
let compileSeconds = now() - compileStart
let after = residentMiB()
let active = engine.ruleset.activeCounts.values.reduce(0, +)
print("rules: \(options.rules.joined(separator: " ")): \(active) active rules, "
    + String(format: "compiled in %.2f s, %.1f MiB resident for the compiled rule set", compileSeconds, after - before))

// One pass to warm caches, untimed.
for message in corpus.prefix(50) { _ = engine.analyze(MIMEMessage.parse(message)) }

// Single thread: per-message latency. Three passes, the median one reported: a shared
// 2-core machine varies by ±20% from run to run.
struct Pass { var seconds: Double; var latencies: [Double]; var spam: Int }
var passes: [Pass] = []
for _ in 0..<3 {
    var latencies: [Double] = []
    latencies.reserveCapacity(corpus.count)
    var spam = 0
    let single = now()
    for message in corpus {
        let t0 = now()
        let (verdict, _) = engine.analyze(MIMEMessage.parse(message))
        latencies.append((now() - t0) * 1000)
        if verdict.score >= engine.ruleset.requiredScore { spam += 1 }
    }
    passes.append(Pass(seconds: now() - single, latencies: latencies.sorted(), spam: spam))
}
print("1 thread, 3 passes: " + passes.map { String(format: "%.1f", Double(corpus.count) / $0.seconds) }.joined(separator: ", ") + " msg/s")
let median = passes.sorted { $0.seconds < $1.seconds }[1]
print(String(format: "1 thread:   %5d messages in %6.2f s = %7.1f msg/s, p50 %.2f ms, p99 %.2f ms, mean %.2f ms (%d spam)",
             corpus.count, median.seconds, Double(corpus.count) / median.seconds,
             percentile(median.latencies, 0.5), percentile(median.latencies, 0.99),
             median.latencies.reduce(0, +) / Double(max(1, median.latencies.count)), median.spam))

// All cores: the shared immutable rule set, one worker per core.
let threads = max(1, options.threads)
let next = NSLock()
nonisolated(unsafe) var cursor = 0
let parallel = now()
DispatchQueue.concurrentPerform(iterations: threads) { _ in
    while true {
        next.lock()
        let index = cursor
        cursor += 1
        next.unlock()
        guard index < corpus.count else { return }
        _ = engine.analyze(MIMEMessage.parse(corpus[index]))
    }
}
let parallelSeconds = now() - parallel
print(String(format: "%d threads:  %5d messages in %6.2f s = %7.1f msg/s", threads, corpus.count, parallelSeconds,
             Double(corpus.count) / parallelSeconds))
