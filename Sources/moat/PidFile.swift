import Foundation
import MoatCore
#if canImport(Glibc)
import Glibc
#endif

/// `<data_dir>/moat.pid`: written by `moat serve` once its listeners are bound, read by
/// `moat reload`. A file left by a crash is harmless: the reader checks that the process
/// it names is alive and is moat.
struct PidFile: Sendable {
    let path: String

    /// The process name the kernel shows for moat (`/proc/PID/comm`).
    static let processName = "moat"

    /// Writes this process's ID, creating `data_dir` when missing; replaced in one rename,
    /// so a reader never sees half a number.
    func write() throws {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try DurableFile.makeDirectories(directory, mode: 0o700)
            try DurableFile.create(path, temporaryPath: "\(path).\(getpid()).tmp", chunks: [Array("\(getpid())\n".utf8)],
                                   mode: 0o644, publish: .replace)
        } catch {
            throw PidFileError(path: path, reason: "cannot write the pid file: \(error)")
        }
    }

    /// Removes the file if it still names this process (a newer moat may have replaced it).
    func remove() {
        if case .running(let pid) = read(), pid == getpid() { unlink(path) }
    }

    enum State: Equatable {
        case running(pid_t)
        case notRunning(reason: String)
    }

    /// Whether the file names a live moat process.
    func read() -> State {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return .notRunning(reason: "no pid file \(path): moat serve is not running with this configuration")
        }
        guard let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else {
            return .notRunning(reason: "\(path) does not hold a process ID")
        }
        let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard comm == Self.processName else {
            return .notRunning(reason: "stale pid file \(path): process \(pid) is not moat (left by a crash?)")
        }
        return .running(pid)
    }
}

/// The pid file could not be written.
struct PidFileError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "\(path): \(reason)" }
}
