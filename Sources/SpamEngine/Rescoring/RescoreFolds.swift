import MoatCore

/// Which held-out fold each sample belongs to: shuffled by a seeded generator, then dealt
/// round-robin within each (group, label), so every fold has its share of each folder's
/// ham and spam. The same samples and seed give the same folds.
public enum RescoreFolds {
    public static func assign(_ samples: [RescoreSample], folds: Int, seed: UInt64) -> [Int] {
        precondition(folds >= 2)
        var generator = SplitMix64(seed: seed)
        var order = Array(samples.indices)
        // Fisher–Yates with our own generator: the standard library's shuffle may change.
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            let j = generator.below(i + 1)
            order.swapAt(i, j)
        }
        var fold = [Int](repeating: 0, count: samples.count)
        var dealt: [String: Int] = [:]
        for index in order {
            let key = "\(samples[index].group)/\(samples[index].isSpam)"
            let n = dealt[key, default: 0]
            fold[index] = n % folds
            dealt[key] = n + 1
        }
        return fold
    }
}
