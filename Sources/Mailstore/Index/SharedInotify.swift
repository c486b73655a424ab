import Foundation
import MoatCore

/// The process's one inotify instance, shared by every `MailboxWatcher`: one descriptor and
/// one reader thread however many sessions idle. A descriptor per watcher (Dovecot's way,
/// with a process per session) would stop at `fs.inotify.max_user_instances` (128 by
/// default) idling sessions in this one process; watches count against
/// `fs.inotify.max_user_watches` instead, and watchers of one directory share its watch.
final class SharedInotify: Sendable {
    typealias Wake = @Sendable () -> Void

    /// What a watcher asks for on one directory.
    struct Target {
        var path: String
        var mask: UInt32
        /// Only events naming one of these wake the watcher (nil: every event). Events about
        /// the directory itself (deleted, moved, unmounted) always do.
        var names: Set<String>?
    }

    /// A watcher's watches, to give back with `unwatch`.
    struct Registration: Sendable {
        let watcher: UInt64
        let watches: [Int32]
    }

    private struct Interest {
        var names: Set<String>?
        var wake: Wake
    }

    private struct Table {
        /// Watch descriptor → watcher → what it wants to hear.
        var interests: [Int32: [UInt64: Interest]] = [:]
        var nextWatcher: UInt64 = 1
    }

    private let descriptor: Int32
    private let table = Locked(Table())

    private static let instance = Locked<SharedInotify?>(nil)

    /// The instance, made at the first call. When the kernel refuses one the call throws
    /// and the next one tries again.
    /// - Throws: `MailboxError.io` (`EMFILE`: `max_user_instances` reached; `ENOSYS` off Linux).
    static func shared() throws -> SharedInotify {
        try instance.withLock { current in
            if let current { return current }
            let made = try SharedInotify()
            let thread = Thread { made.readForever() }
            thread.name = "moat-inotify"
            thread.start()
            current = made
            return made
        }
    }

    private init() throws {
        #if os(Linux)
        let fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { throw MailboxError.io(operation: "inotify_init1", path: "", errno: errno) }
        descriptor = fd
        #else
        throw MailboxError.io(operation: "inotify_init1", path: "", errno: ENOSYS)
        #endif
    }

    /// Watches `targets`, calling `wake` (on the reader thread: it must not block) after
    /// events that concern them. All or nothing: a watch that cannot be added takes back
    /// those added before it.
    /// - Throws: `MailboxError.io` (`ENOSPC`: `max_user_watches` reached; `ENOENT`).
    func watch(_ targets: [Target], wake: @escaping Wake) throws -> Registration {
        #if os(Linux)
        try table.withLock { table in
            let watcher = table.nextWatcher
            table.nextWatcher += 1
            var watches: [Int32] = []
            for target in targets {
                // IN_MASK_ADD: another watcher's mask on the same directory is kept.
                let watch = inotify_add_watch(descriptor, target.path, target.mask | UInt32(IN_MASK_ADD))
                guard watch >= 0 else {
                    let code = errno
                    release(Registration(watcher: watcher, watches: watches), in: &table)
                    throw MailboxError.io(operation: "inotify_add_watch", path: target.path, errno: code)
                }
                table.interests[watch, default: [:]][watcher] = Interest(names: target.names, wake: wake)
                watches.append(watch)
            }
            return Registration(watcher: watcher, watches: watches)
        }
        #else
        throw MailboxError.io(operation: "inotify_add_watch", path: targets.first?.path ?? "", errno: ENOSYS)
        #endif
    }

    /// Gives back a watcher's watches; a directory nobody watches any more loses its watch.
    func unwatch(_ registration: Registration) {
        table.withLock { release(registration, in: &$0) }
    }

    /// Directories watched now (for tests and leak checks).
    var watchCount: Int { table.withLock { $0.interests.count } }

    private func release(_ registration: Registration, in table: inout Table) {
        for watch in registration.watches {
            // Gone already when the kernel dropped the watch (IN_IGNORED: directory deleted).
            guard var watchers = table.interests[watch] else { continue }
            watchers[registration.watcher] = nil
            if watchers.isEmpty {
                table.interests[watch] = nil
                #if os(Linux)
                inotify_rm_watch(descriptor, watch)
                #endif
            } else {
                table.interests[watch] = watchers
            }
        }
    }

    /// The reader thread: lives as long as the process (so does the instance).
    private func readForever() {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else {
                // EINTR, or an error that cannot happen on a valid descriptor: never spin.
                if count < 0 && errno != EINTR { usleep(100_000) }
                continue
            }
            let events = buffer.withUnsafeBytes { InotifyEvent.parse(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            for wake in wakes(for: events) { wake() }
        }
    }

    /// Whom `events` concern, each once.
    private func wakes(for events: [InotifyEvent]) -> [Wake] {
        #if os(Linux)
        let aboutDirectory = UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)
        return table.withLock { table in
            var woken: [UInt64: Wake] = [:]
            for event in events {
                if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    // Events were lost: everyone looks.
                    for watchers in table.interests.values { for (id, interest) in watchers { woken[id] = interest.wake } }
                    continue
                }
                guard let watchers = table.interests[event.watch] else { continue }
                let always = event.mask & aboutDirectory != 0
                for (id, interest) in watchers where always || interest.names?.contains(event.name) ?? true {
                    woken[id] = interest.wake
                }
                if event.mask & UInt32(IN_IGNORED) != 0 { table.interests[event.watch] = nil }
            }
            return Array(woken.values)
        }
        #else
        return []
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
