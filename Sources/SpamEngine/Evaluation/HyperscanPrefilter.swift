import CHyperscan
import Foundation
import MoatCore

/// One Hyperscan database over many rule patterns: a single pass over a text tells which
/// rules may match, so PCRE2 only runs the few that can. Patterns Hyperscan cannot take,
/// even in prefilter mode, are left out and the caller runs them unconditionally.
final class HyperscanPrefilter: @unchecked Sendable {
    private let database: OpaquePointer
    /// Scratch spaces are per scanning thread; kept in a pool, cloned on demand.
    private let prototype: OpaquePointer
    private var pool: [OpaquePointer] = []
    private let lock = NSLock()
    /// Which input positions made it into the database.
    let accepted: [Bool]
    /// The candidate index each input position reports (its position by default).
    let ids: [Int]

    /// Builds the database, or returns nil when no pattern was accepted. With a cache
    /// directory, a database compiled earlier for the same patterns is loaded from there:
    /// compiling SpamAssassin's body rules takes seconds, loading takes milliseconds.
    /// - Parameters:
    ///   - ids: the candidate index each pattern marks (default: its position); lets
    ///     several prefilters share one candidate array.
    ///   - admitCostly: take patterns `isCostly` would refuse (the caller has loosened them).
    init?(patterns: [(pattern: String, flags: UInt32)], ids: [Int]? = nil, admitCostly: Bool = false,
          cacheDirectory: String? = nil) {
        let ids = ids ?? Array(patterns.indices)
        self.ids = ids
        let cacheFile = Self.cachePath(directory: cacheDirectory, patterns: patterns, ids: ids)
        if let cached = Self.loadCached(cacheFile, count: patterns.count) {
            var scratch: OpaquePointer?
            if hs_alloc_scratch(cached.database, &scratch) == HS_SUCCESS, let scratch {
                self.database = cached.database
                self.prototype = scratch
                self.accepted = cached.accepted
                return
            }
            hs_free_database(cached.database)
        }
        var accepted = patterns.map { (admitCostly || !Self.isCostly($0.pattern)) && Self.isAcceptable($0.pattern, flags: $0.flags) }
        var database: OpaquePointer?
        // A pattern info accepts can still fail in the combined compile (resource limits):
        // drop the culprit and retry, a bounded number of times.
        for _ in 0..<32 {
            let chosen = patterns.indices.filter { accepted[$0] }
            guard !chosen.isEmpty else { return nil }
            let result = Self.compile(chosen.map { patterns[$0] }, ids: chosen.map { UInt32(ids[$0]) })
            switch result {
            case .success(let db):
                database = db
            case .failure(let failedPosition):
                guard let failedPosition, failedPosition < chosen.count else { return nil }
                accepted[chosen[failedPosition]] = false
                continue
            }
            break
        }
        guard let database else { return nil }
        var scratch: OpaquePointer?
        guard hs_alloc_scratch(database, &scratch) == HS_SUCCESS, let scratch else {
            hs_free_database(database)
            return nil
        }
        self.database = database
        self.prototype = scratch
        self.accepted = accepted
        Self.store(database, accepted: accepted, at: cacheFile)
    }

    // MARK: cache

    /// Databases compiled or loaded by this process, by cache name: the rule sets with and
    /// without Bayes share their patterns, and a process without a cache directory (tests,
    /// `moat scan` with none configured) still compiles each set once.
    private static let inProcess = Locked<[String: Data]>([:])

    /// `<dir>/hs-<sha1 of version, flags and patterns>.db` (no directory: the name alone,
    /// for the in-process cache): any change to the rules or to the Hyperscan version gives
    /// a new name, so a stale database is never loaded.
    private static func cachePath(directory: String?, patterns: [(pattern: String, flags: UInt32)], ids: [Int]) -> String {
        var key = Array(String(cString: hs_version()).utf8)
        key += Array(ids.map(String.init).joined(separator: ",").utf8)
        for p in patterns {
            key += Array("\u{0}\(p.flags)\u{0}".utf8) + Array(p.pattern.utf8)
        }
        let digest = SHA1.hash(key).map { String($0, radix: 16).leftPadded(2) }.joined()
        return directory.map { "\($0)/hs-\(digest).db" } ?? "hs-\(digest).db"
    }

    /// File layout: one byte per input pattern (accepted or not), then the serialized database.
    private static func loadCached(_ path: String, count: Int) -> (database: OpaquePointer, accepted: [Bool])? {
        let known = inProcess.withLock { $0[path] }
        guard let data = known ?? (path.contains("/") ? FileManager.default.contents(atPath: path) : nil),
              data.count > count else { return nil }
        if known == nil { inProcess.withLock { $0[path] = data } }
        let bytes = [UInt8](data)
        let accepted = bytes[0..<count].map { $0 == 1 }
        var database: OpaquePointer?
        let rc = bytes[count...].withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                hs_deserialize_database($0, buffer.count, &database)
            }
        }
        guard rc == HS_SUCCESS, let database else { return nil }
        return (database, accepted)
    }

    /// Best effort: a cache that cannot be written only costs the next start its compile time.
    private static func store(_ database: OpaquePointer, accepted: [Bool], at path: String) {
        var serialized: UnsafeMutablePointer<CChar>?
        var length = 0
        guard hs_serialize_database(database, &serialized, &length) == HS_SUCCESS, let serialized else { return }
        defer { free(serialized) }
        var data = Data(accepted.map { $0 ? 1 : 0 })
        data.append(Data(bytes: serialized, count: length))
        inProcess.withLock { $0[path] = data }
        guard path.contains("/") else { return }
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = path + ".tmp.\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return }
        if rename(temporary, path) != 0 { unlink(temporary) }
    }

    deinit {
        for s in pool { hs_free_scratch(s) }
        hs_free_scratch(prototype)
        hs_free_database(database)
    }

    /// Marks `candidates[id] = true` for every pattern that may match `text`.
    func scan(_ text: UnsafeBufferPointer<UInt8>, candidates: inout [Bool]) {
        let scratch = takeScratch()
        defer { giveBack(scratch) }
        candidates.withUnsafeMutableBufferPointer { marks in
            var context = marks
            withUnsafeMutablePointer(to: &context) { contextPointer in
                let base = text.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
                var empty: CChar = 0
                _ = hs_scan(database, base ?? withUnsafePointer(to: &empty) { $0 }, UInt32(text.count), 0, scratch,
                            { id, _, _, _, context in
                                let marks = context!.assumingMemoryBound(to: UnsafeMutableBufferPointer<Bool>.self)
                                marks.pointee[Int(id)] = true
                                return 0
                            }, contextPointer)
            }
        }
    }

    private func takeScratch() -> OpaquePointer {
        lock.lock()
        if let s = pool.popLast() {
            lock.unlock()
            return s
        }
        lock.unlock()
        var clone: OpaquePointer?
        guard hs_clone_scratch(prototype, &clone) == HS_SUCCESS, let clone else {
            fatalError("Hyperscan could not allocate scratch space (out of memory)")
        }
        return clone
    }

    private func giveBack(_ scratch: OpaquePointer) {
        lock.lock()
        pool.append(scratch)
        lock.unlock()
    }

    /// Large counted repeats (`{0,2048}`, `{1,80}` inside alternations) make Hyperscan's
    /// compile explode: a handful of SpamAssassin's patterns take seconds each and the
    /// whole set over a minute. Such patterns gain little from a prefilter anyway, so they
    /// go straight to PCRE2.
    /// (The caller loosens such patterns with ``PrefilterRelaxation`` into a prefilter of
    /// their own, so the main database keeps its compile time.)
    static func isCostly(_ pattern: String) -> Bool {
        let bytes = Array(pattern.utf8)
        if bytes.count > 600 { return true }
        var i = 0
        var repeatBudget = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
            if bytes[i] == UInt8(ascii: "{") {
                var j = i + 1
                var numbers: [Int] = []
                var current = 0
                var sawDigit = false
                while j < bytes.count, bytes[j] != UInt8(ascii: "}") {
                    let b = bytes[j]
                    if b >= 0x30 && b <= 0x39 { current = current * 10 + Int(b - 0x30); sawDigit = true }
                    else if b == UInt8(ascii: ",") { numbers.append(current); current = 0 }
                    else { break }
                    j += 1
                }
                if j < bytes.count, bytes[j] == UInt8(ascii: "}"), sawDigit {
                    numbers.append(current)
                    let upper = numbers.max() ?? 0
                    if upper >= 64 { return true }
                    repeatBudget += upper
                    if repeatBudget > 120 { return true }
                }
            }
            i += 1
        }
        return false
    }

    private static func isAcceptable(_ pattern: String, flags: UInt32) -> Bool {
        var info: UnsafeMutablePointer<hs_expr_info_t>?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let rc = hs_expression_info(pattern, flags, &info, &error)
        if let error { hs_free_compile_error(error) }
        if let info { free(info) }
        return rc == HS_SUCCESS
    }

    private enum CompileResult {
        case success(OpaquePointer)
        case failure(Int?)
    }

    private static func compile(_ patterns: [(pattern: String, flags: UInt32)], ids: [UInt32]) -> CompileResult {
        let cStrings = patterns.map { strdup($0.pattern) }
        defer { cStrings.forEach { free($0) } }
        let expressions = cStrings.map { UnsafePointer<CChar>($0) }
        let flags = patterns.map(\.flags)
        var database: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let rc = expressions.withUnsafeBufferPointer { expr in
            flags.withUnsafeBufferPointer { fl in
                ids.withUnsafeBufferPointer { idp in
                    hs_compile_multi(expr.baseAddress, fl.baseAddress, idp.baseAddress, UInt32(patterns.count),
                                     UInt32(HS_MODE_BLOCK), nil, &database, &error)
                }
            }
        }
        if rc == HS_SUCCESS, let database { return .success(database) }
        let failed = error.map { Int($0.pointee.expression) }.flatMap { $0 >= 0 ? $0 : nil }
        if let error { hs_free_compile_error(error) }
        return .failure(failed)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
