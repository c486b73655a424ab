import MoatCore

/// The settings a reload cannot apply, because what they shape lives as long as the process:
/// the account it switched to, the state it opened (queue, directory, quarantine, Maildirs,
/// the MX's resolver and deliverer), the log output, the shared memory budget and the
/// timers. Postfix's master has the same kind (`inet_interfaces` and the like need
/// `postfix stop; postfix start`).
enum RestartOnlySettings {
    /// `new` with every restart-only setting put back to what `running` has, and the names
    /// of those that differ, so a reload applies the rest and says what waits for a restart.
    static func apply(_ new: MoatConfig, running: MoatConfig) -> (config: MoatConfig, waiting: [String]) {
        var config = new
        var waiting: [String] = []
        func keep<T: Equatable>(_ name: String, _ setting: WritableKeyPath<MoatConfig, T>) {
            guard config[keyPath: setting] != running[keyPath: setting] else { return }
            waiting.append(name)
            config[keyPath: setting] = running[keyPath: setting]
        }
        keep("[service]", \.service)
        keep("[log]", \.log)
        keep("[storage]", \.storage)
        keep("[queue]", \.queue)
        keep("[delivery]", \.delivery)
        keep("[dns]", \.dns)
        keep("[quarantine]", \.quarantine)
        keep("[limits] message_memory", \.limits.messageMemory)
        keep("[mx] enabled", \.mx.enabled)
        keep("[virus] reload_check_interval", \.virus.reloadCheckInterval)
        keep("[auth]", \.auth)
        keep("[pop3]", \.pop3)
        keep("[imap]", \.imap)
        return (config, waiting)
    }
}
