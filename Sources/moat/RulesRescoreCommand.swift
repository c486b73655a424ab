import ArgumentParser
import Dispatch
import Filter
import Foundation
import Logging
import MIME
import MoatCore
import SpamEngine

extension RulesCommand {
    /// `moat rules rescore --ham DIR… --spam DIR… --output FILE`: fits the scores of the
    /// loaded rules to the site's own labelled mail (SpamAssassin's masses, built in) and
    /// prints, for each folder, what the fitted scores do on held-out folds next to what the
    /// scores in use do. Rules keep their sign; rules scored 20 or more either way (GTUBE,
    /// welcome and block lists) and `tflags userconf` ones are kept as they are.
    struct Rescore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit rule scores to labelled ham and spam; write them as a .cf of score lines.",
            discussion: """
                Messages are checked with the rules of [spam] rules, without Bayes and network tests. The \
                figures are from k-fold cross-validation: each fold is scored with scores fitted on the \
                other folds only. The file written holds the scores fitted on all messages; add it as the \
                last entry of [spam] rules. The same input and --seed give the same file.

                Exit status: 0 written, 1 a path or message could not be read, no message hit a rule, \
                or the configuration is invalid, 64 usage error.
                """)

        @OptionGroup var options: ConfigOption
        @Option(name: .customLong("ham"), parsing: .upToNextOption, help: "Folders (or files, Maildirs) of ham.")
        var hamPaths: [String] = []
        @Option(name: .customLong("spam"), parsing: .upToNextOption, help: "Folders (or files, Maildirs) of spam.")
        var spamPaths: [String] = []
        @Option(help: "Where to write the score lines.") var output: String
        @Option(help: "How many missed spam one false positive costs.") var fpCost = 50.0
        @Option(help: "Folds of the cross-validation.") var folds = 5
        @Option(help: "Seed of the fold assignment.") var seed: UInt64 = 1
        @Option(help: "L2 penalty per message on each score (pulls rarely seen rules towards 0).") var l2 = 0.00001
        @Option(help: "Largest score (either sign) a rescored rule may get.") var maxScore = 3.0
        @Option(help: "Messages on a rule's side (spam, or ham for a ham sign) it takes to reach --max-score; fewer allow a proportionally smaller score (0: no such limit).")
        var fullScoreHits = 10
        @Flag(help: "The figures as one JSON object instead of the table.") var json = false
        @Flag(inversion: .prefixedNo, help: "Weigh each --ham folder (and each --spam folder) alike, whatever its size.")
        var balanceFolders = true
        @Flag(help: "Also fit the scores used with Bayes (score set 2) and the BAYES_xx bands, each fold classified by a database trained on the other folds.")
        var bayes = false

        private func weighted(_ samples: [RescoreSample]) -> [RescoreSample] {
            balanceFolders ? samples.balancingGroups() : samples
        }

        func validate() throws {
            if hamPaths.isEmpty || spamPaths.isEmpty { throw ValidationError("Give --ham and --spam folders.") }
            if folds < 2 { throw ValidationError("--folds must be at least 2.") }
            if fpCost <= 0 || maxScore <= 0 || l2 < 0 || fullScoreHits < 0 {
                throw ValidationError("--fp-cost and --max-score must be positive, --l2 and --full-score-hits not negative.")
            }
        }

        func run() throws {
            let config = try loadConfig(options.config)
            let progress = TerminalProgress("rules rescore")
            progress.status("compiling \(config.spam.ruleDirectories.joined(separator: ", "))")
            let engine = RuleEngine(directories: config.spam.ruleDirectories,
                                    settings: RuleEngineSettings(useNetwork: false, bayes: nil),
                                    cacheDirectory: config.spam.cacheDirectory, logger: Logger(label: "moat"))
            var corpus = RescoreCorpus(configuration: engine.configuration)
            var failed = false
            for (label, paths) in [(false, hamPaths), (true, spamPaths)] {
                for path in paths {
                    let found = MessageFiles([path])
                    for problem in found.problems { printError("moat rules rescore: \(problem)"); failed = true }
                    progress.start(total: found.files.count)
                    // Steps come from the checking threads: one at a time through the lock.
                    let shared = Locked(progress)
                    let problems = corpus.add(found.files, folder: path, isSpam: label, engine: engine,
                                              step: { shared.withLock { $0.step() } })
                    for problem in problems { printError("moat rules rescore: \(problem)"); failed = true }
                }
            }
            progress.clear()
            guard !corpus.rules.isEmpty else {
                printError("moat rules rescore: no message hit a rule that can be rescored")
                throw ExitCode(1)
            }
            let spam = config.spam
            let thresholds = Array(Set([spam.requiredScore, spam.tag2Level, spam.killLevel])).sorted()
            let rescore = CrossValidatedRescore(
                rescorer: LogisticRescorer(.init(threshold: spam.requiredScore, fpCost: fpCost, l2: l2, fullScoreHits: fullScoreHits)),
                folds: folds, seed: seed, thresholds: thresholds)
            progress.status("fitting \(corpus.rules.count) scores on \(corpus.samples.count) messages, \(folds) folds")
            let outcome = rescore.run(weighted(corpus.samples), bounds: corpus.bounds(ceiling: maxScore),
                                      current: corpus.current)
            var withBayes: (corpus: RescoreCorpus, outcome: CrossValidatedRescore.Outcome)?
            if bayes {
                let assignment = RescoreFolds.assign(corpus.samples, folds: folds, seed: seed)
                progress.start(total: corpus.samples.count * folds)
                let bands: [[String]]
                do {
                    bands = try RescoreBayes(configuration: engine.configuration).outOfFold(
                        files: corpus.files, isSpam: corpus.samples.map(\.isSpam), fold: assignment, folds: folds,
                        step: { progress.step() })
                } catch {
                    progress.clear()
                    printError("moat rules rescore: Bayes: \(error)")
                    throw ExitCode(1)
                }
                let bayesCorpus = corpus.withBayes(bands)
                progress.status("fitting \(bayesCorpus.rules.count) scores with Bayes, \(folds) folds")
                withBayes = (bayesCorpus, rescore.run(weighted(bayesCorpus.samples),
                                                      bounds: bayesCorpus.bounds(ceiling: maxScore),
                                                      current: bayesCorpus.current))
            }
            progress.clear()

            let header = [
                "Scores fitted by `moat rules rescore` (\(MoatVersion.text)) on \(corpus.summary).",
                "fp-cost \(fpCost), l2 \(l2), max-score \(maxScore), full-score-hits \(fullScoreHits), threshold \(spam.requiredScore), seed \(seed)"
                    + (bayes ? "; four values: without Bayes, without Bayes (network), with Bayes, with Bayes (network)." : "."),
                "Add this file as the last entry of [spam] rules: its score lines replace the ones before.",
            ]
            let lines = RescoreReport.scoreLines(corpus: corpus, outcome: outcome, withBayes: withBayes)
            do {
                try Data(ScoreFile.text(lines, header: header).utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                printError("moat rules rescore: cannot write \(output): \(error.localizedDescription)")
                throw ExitCode(1)
            }
            let changed = zip(corpus.current, outcome.scores).filter { abs($0 - $1) >= 0.0005 }.count
            if json {
                sayJSON(RescoreReport.json(outcome, corpus: corpus, withBayes: withBayes?.outcome, thresholds: thresholds,
                                           folds: folds, output: output, changed: changed))
            } else {
                for line in RescoreReport.lines(outcome, folders: corpus.folders, thresholds: thresholds, folds: folds) {
                    say("\(line)")
                }
                if let withBayes {
                    say("with Bayes (each fold classified by a database trained on the other folds):")
                    for line in RescoreReport.lines(withBayes.outcome, folders: corpus.folders, thresholds: thresholds,
                                                    folds: folds).dropFirst() {
                        say("\(line)")
                    }
                }
                say("wrote \(output): \(lines.count) scores, \(changed) changed without Bayes")
            }
            if failed { throw ExitCode(1) }
        }
    }
}

/// The labelled messages as rule hits: which rules are rescored, their bounds and the
/// scores in use, and per message the rules it hit.
struct RescoreCorpus {
    let configuration: RuleConfiguration
    private(set) var rules: [String] = []
    private(set) var current: [Double] = []
    private var nice: [Bool] = []
    private var index: [String: Int] = [:]
    /// The scores in use with Bayes (score set 2), where a rule has per-set scores.
    private(set) var currentWithBayes: [Double] = []
    private(set) var samples: [RescoreSample] = []
    /// The message file of each sample.
    private(set) var files: [String] = []
    private(set) var folders: [(path: String, isSpam: Bool)] = []

    /// Scored this high either way, a rule is a decision of its own (GTUBE, a welcomelist).
    static let fixedFrom = 20.0

    init(configuration: RuleConfiguration) {
        self.configuration = configuration
    }

    /// Checks `files` (in parallel, results in file order) and adds them; returns the problems.
    mutating func add(_ paths: [String], folder: String, isSpam: Bool, engine: RuleEngine,
                      step: @escaping @Sendable () -> Void) -> [String] {
        let results = Locked([Int: Result<[SpamVerdict.Hit], RescoreReadError>]())
        DispatchQueue.concurrentPerform(iterations: paths.count) { i in
            let outcome: Result<[SpamVerdict.Hit], RescoreReadError>
            do {
                let message = MIMEMessage.parse(try DurableFile.contents(of: paths[i]))
                outcome = .success(engine.analyze(message).verdict.hits)
            } catch {
                outcome = .failure(RescoreReadError(description: "\(paths[i]): \(error)"))
            }
            results.withLock { $0[i] = outcome }
            step()
        }
        let group = folders.count
        folders.append((folder, isSpam))
        var problems: [String] = []
        for i in paths.indices {
            switch results.withLock({ $0[i] })! {
            case .failure(let problem): problems.append(problem.description)
            case .success(let hits):
                samples.append(sample(hits, isSpam: isSpam, group: group))
                files.append(paths[i])
            }
        }
        return problems
    }

    private mutating func sample(_ hits: [SpamVerdict.Hit], isSpam: Bool, group: Int) -> RescoreSample {
        var sample = RescoreSample(rules: [], isSpam: isSpam, group: group)
        for hit in hits {
            let tflags = configuration.rules[hit.name]?.tflags ?? []
            if abs(hit.score) >= Self.fixedFrom || tflags.contains("userconf") {
                sample.fixedPoints += hit.score
                continue
            }
            if index[hit.name] == nil {
                append(hit.name, score: hit.score, withBayes: scoreWithBayes(hit.name) ?? hit.score,
                       nice: tflags.contains("nice"))
            }
            sample.rules.append(index[hit.name]!)
        }
        return sample
    }

    /// A rule's score in use with Bayes (score set 2, local tests); nil for an unknown rule.
    private func scoreWithBayes(_ rule: String) -> Double? {
        configuration.rules[rule].map { CompiledRuleset.score(of: $0, set: ScoreSet(bayes: true, network: false)) }
    }

    private mutating func append(_ rule: String, score: Double, withBayes: Double, nice isNice: Bool) {
        index[rule] = rules.count
        rules.append(rule)
        current.append(score)
        currentWithBayes.append(withBayes)
        nice.append(isNice)
    }

    /// The corpus as Bayes sees it: every message also hits the BAYES_xx band it got out of
    /// fold, and the scores in use are those of score set 2 (with Bayes).
    func withBayes(_ bands: [[String]]) -> RescoreCorpus {
        var corpus = self
        corpus.current = currentWithBayes
        for (i, hit) in bands.enumerated() {
            for rule in hit {
                if corpus.index[rule] == nil {
                    let score = scoreWithBayes(rule) ?? 0
                    corpus.append(rule, score: score, withBayes: score, nice: score < 0)
                }
                corpus.samples[i].rules.append(corpus.index[rule]!)
            }
        }
        return corpus
    }

    func bounds(ceiling: Double) -> [ScoreBounds] {
        rules.indices.map { ScoreBounds.keepingSign(of: current[$0], nice: nice[$0], ceiling: ceiling) }
    }

    /// For each rescored rule, how many messages of each folder hit it (folders in order).
    func hitsPerFolder() -> [[Int]] {
        var hits = [[Int]](repeating: [Int](repeating: 0, count: folders.count), count: rules.count)
        for sample in samples {
            for rule in sample.rules { hits[rule][sample.group] += 1 }
        }
        return hits
    }

    var summary: String {
        let ham = samples.filter { !$0.isSpam }.count
        return "\(ham) ham and \(samples.count - ham) spam from " + folders.map(\.path).joined(separator: ", ")
    }
}

/// A message the rescorer could not read.
struct RescoreReadError: Error, CustomStringConvertible {
    let description: String
}

/// The held-out table: one row per folder, its false-positive rate (ham) or recall (spam)
/// at each threshold with the scores in use and with the fitted ones.
enum RescoreReport {
    static func lines(_ outcome: CrossValidatedRescore.Outcome, folders: [(path: String, isSpam: Bool)],
                      thresholds: [Double], folds: Int) -> [String] {
        let at = thresholds.map { ScoreText.format($0) }
        let width = max(24, folders.map(\.path.count).max() ?? 0)
        func cell(_ rates: DetectionRates, _ isSpam: Bool) -> String {
            let percent = isSpam ? rates.recall : rates.falsePositiveRate
            return percent.map { String(format: "%6.2f%%", $0) } ?? "      -"
        }
        var lines = ["\(folds)-fold cross-validation: each message scored with scores fitted without it",
                     "folder".padding(toLength: width, withPad: " ", startingAt: 0) + "  msgs  measure | "
                        + "in use @ " + at.joined(separator: " / ") + " | rescored @ " + at.joined(separator: " / ")]
        for (group, folder) in folders.enumerated() {
            guard let rates = outcome.groups[group] else { continue }
            let count = rates.current.first.map { folder.isSpam ? $0.spam : $0.ham } ?? 0
            lines.append(folder.path.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: " %5d ", count) + (folder.isSpam ? " recall " : " ham FP ") + " | "
                + rates.current.map { cell($0, folder.isSpam) }.joined(separator: " ") + " | "
                + rates.rescored.map { cell($0, folder.isSpam) }.joined(separator: " "))
        }
        return lines
    }

    /// The same figures for scripts (`make accuracy`): counts, so rates can be pooled.
    /// The score lines: one value per rule without Bayes; with it, SpamAssassin's four (the
    /// network sets take the fitted local ones: network rules are not rescored).
    static func scoreLines(corpus: RescoreCorpus, outcome: CrossValidatedRescore.Outcome,
                           withBayes: (corpus: RescoreCorpus, outcome: CrossValidatedRescore.Outcome)?) -> [ScoreFile.Line] {
        guard let withBayes else {
            return zip(corpus.rules, outcome.scores).map { ScoreFile.Line(rule: $0, scores: [$1]) }
        }
        return withBayes.corpus.rules.enumerated().map { i, rule in
            let plain = i < corpus.rules.count ? outcome.scores[i] : 0
            let bayes = withBayes.outcome.scores[i]
            return ScoreFile.Line(rule: rule, scores: [plain, plain, bayes, bayes])
        }
    }

    static func json(_ outcome: CrossValidatedRescore.Outcome, corpus: RescoreCorpus,
                     withBayes: CrossValidatedRescore.Outcome?, thresholds: [Double],
                     folds: Int, output: String, changed: Int) -> Data {
        let folders = corpus.folders
        func counts(_ list: [DetectionRates]) -> [[String: Any]] {
            zip(thresholds, list).map { threshold, rates in
                ["threshold": threshold, "spam": rates.spam, "spam_caught": rates.spamCaught, "ham": rates.ham,
                 "ham_flagged": rates.hamFlagged]
            }
        }
        func rows(_ outcome: CrossValidatedRescore.Outcome) -> [[String: Any]] {
            folders.enumerated().compactMap { group, folder in
                guard let rates = outcome.groups[group] else { return nil }
                return ["folder": folder.path, "is_spam": folder.isSpam, "in_use": counts(rates.current),
                        "rescored": counts(rates.rescored)]
            }
        }
        let hits = corpus.hitsPerFolder()
        let rules: [[String: Any]] = corpus.rules.indices.map { i in
            ["name": corpus.rules[i], "in_use": corpus.current[i], "rescored": outcome.scores[i], "hits": hits[i]]
        }
        var object: [String: Any] = ["folds": folds, "output": output, "changed": changed, "folders": rows(outcome),
                                     "rules": rules]
        if let withBayes { object["folders_with_bayes"] = rows(withBayes) }
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }
}
