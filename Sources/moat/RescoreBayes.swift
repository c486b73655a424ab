import Foundation
import MoatCore
import SpamEngine

/// Bayes' opinion of each labelled message for the rescorer, out of fold: the messages of
/// each fold are classified by a database trained on the other folds only, so a message's
/// BAYES_xx band is never its own learning read back. The bands are the `check_bayes`
/// rules of the loaded configuration (SpamAssassin's `23_bayes.cf`, Moat's `70_moat_bayes.cf`).
struct RescoreBayes {
    struct Band {
        let rule: String
        let min: Double
        let max: Double
    }

    let bands: [Band]

    init(configuration: RuleConfiguration) {
        bands = configuration.rules.values.compactMap { rule in
            guard case .eval(let call) = rule.test, call.function == "check_bayes", call.arguments.count == 2,
                  let min = Double(call.arguments[0].trimmingCharacters(in: .whitespaces)),
                  let max = Double(call.arguments[1].trimmingCharacters(in: .whitespaces)) else { return nil }
            return Band(rule: rule.name, min: min, max: max)
        }.sorted { $0.rule < $1.rule }
    }

    /// The band rules `probability` falls in (`check_bayes`: above min unless min is 0, up to max).
    func rules(probability p: Double) -> [String] {
        bands.filter { ($0.min == 0 || p > $0.min) && p <= $0.max }.map(\.rule)
    }

    /// For each message, the band rules hit when classified by a database trained on the
    /// messages of the other folds; nil where Bayes gave no opinion.
    func outOfFold(files: [String], isSpam: [Bool], fold: [Int], folds: Int,
                   step: () -> Void) throws -> [[String]] {
        let directory = FileManager.default.temporaryDirectory.path + "/moat-rescore-bayes-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var found = [[String]](repeating: [], count: files.count)
        for k in 0..<folds {
            var settings = BayesSettings()
            settings.database = "\(directory)/fold-\(k).sqlite"
            settings.minHam = 1
            settings.minSpam = 1
            let filter = try BayesFilter(settings: settings)
            for i in files.indices where fold[i] != k {
                try filter.learn(try DurableFile.contents(of: files[i]), isSpam: isSpam[i])
                step()
            }
            for i in files.indices where fold[i] == k {
                if let result = try filter.classify(try DurableFile.contents(of: files[i]), touch: false) {
                    found[i] = rules(probability: result.probability)
                }
                step()
            }
        }
        return found
    }
}
