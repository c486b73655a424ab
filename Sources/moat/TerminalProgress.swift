import MoatCore
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress indicator for long runs (`learn`, `quarantine purge`, `rules lint`):
/// on standard error, only when standard error is a terminal, overwritten in place, and
/// erased before anything else is printed, so pipes, files and cron mail never see it.
final class TerminalProgress {
    private let task: String
    private let enabled: Bool
    private var total = 0
    private var done = 0
    private var lastPercent = -1
    private var shown = false

    /// - Parameter task: what is being done, as the line begins (`learning`).
    init(_ task: String, enabled: Bool = isatty(2) == 1) {
        self.task = task
        self.enabled = enabled
    }

    /// Starts counting towards `total` items.
    func start(total: Int) {
        self.total = total
        done = 0
        lastPercent = -1
    }

    /// One item done: the line is redrawn when the whole percentage changes.
    func step() {
        done += 1
        guard enabled, total > 1 else { return }
        let percent = done * 100 / total
        guard percent != lastPercent else { return }
        lastPercent = percent
        draw("\(task) \(done)/\(total) (\(percent)%)")
    }

    /// A phase without a count (`compiling 1834 rules`).
    func status(_ text: String) {
        guard enabled else { return }
        draw("\(task): \(text)")
    }

    /// Erases the line, before other output and at the end.
    func clear() {
        guard enabled, shown else { return }
        TerminalOutput.write(Array("\r\u{1B}[K".utf8), fd: 2)
        shown = false
    }

    private func draw(_ text: String) {
        TerminalOutput.write(Array("\r\u{1B}[K\(text.printable)".utf8), fd: 2)
        shown = true
    }
}
