#if canImport(Glibc)
import Glibc
#endif
import Logging
import MoatCore

/// The privilege side of `moat serve`: decided from `[service]` and `[delivery] maildir_*`
/// before anything is opened (a refusal stops start-up at once), carried out after the
/// listeners are bound and before the first connection is accepted.
struct ServicePrivileges {
    let plan: PrivilegePlan
    /// What delivered Maildirs get; nil = the defaults (the process's account, 0700).
    let maildir: FilePermissions?

    /// - Throws: `ServiceError` naming the setting at fault.
    /// - Parameter startingUID: who starts serve; `config check` asks as if root started
    ///   it (as the service manager does), so its verdict is about the file, not the shell.
    static func prepare(_ config: MoatConfig, startingUID: uid_t = geteuid()) throws(ServiceError) -> ServicePrivileges {
        let service = config.service
        let target = try service.user.isEmpty ? nil : ServiceAccount.resolve(user: service.user, group: service.group)
        var plan = try PrivilegePlan.decide(settings: service, currentUID: startingUID, target: target)
        let runsAs: ServiceAccount
        if case .switchTo(let account) = plan { runsAs = account } else { runsAs = ServiceAccount.current() }

        let delivery = config.delivery
        var owner: uid_t?
        if !delivery.maildirOwner.isEmpty {
            guard let entry = AccountDatabase.user(named: delivery.maildirOwner) else {
                throw .maildirAccount(key: "maildir_owner", "no user '\(delivery.maildirOwner)' on this system")
            }
            if entry.uid != runsAs.uid {
                guard runsAs.uid == 0 else {
                    throw .maildirAccount(key: "maildir_owner", "moat serves as \(runsAs.user) and cannot give files to \(delivery.maildirOwner): leave it empty (Dovecot then reads as \(runsAs.user)) or use maildir_group")
                }
                owner = entry.uid
            }
        }
        var group: gid_t?
        if !delivery.maildirGroup.isEmpty {
            guard let gid = AccountDatabase.groupID(named: delivery.maildirGroup) else {
                throw .maildirAccount(key: "maildir_group", "no group '\(delivery.maildirGroup)' on this system")
            }
            group = gid
            switch plan {
            case .switchTo(var account):
                // Kept as a supplementary group, so the unprivileged process may chown to it.
                if gid != account.gid { account.supplementaryGroups.append(gid) }
                plan = .switchTo(account)
            case .stay:
                guard runsAs.uid == 0 || gid == runsAs.gid || Self.holdsGroup(gid) else {
                    throw .maildirAccount(key: "maildir_group", "moat serves as \(runsAs.user), who is not in group \(delivery.maildirGroup)")
                }
            }
        }
        let mode = mode_t(delivery.maildirMode)
        let maildir = owner == nil && group == nil && mode == 0o700 ? nil : FilePermissions(owner: owner, group: group, mode: mode)
        return ServicePrivileges(plan: plan, maildir: maildir)
    }

    /// Hands what start-up created as root to the service account, then switches to it for
    /// good. Call after every listener is bound and before any is served.
    func drop(_ config: MoatConfig, logger: Logger) throws {
        guard case .switchTo(let account) = plan else { return }
        let adopted = try StateOwnership.adopt(Self.statePaths(config), for: account)
        try PrivilegeDrop.perform(account)
        logger.notice("running as \(account)\(adopted.isEmpty ? "" : ", \(adopted.count) state files handed over")")
    }

    /// Everything `moat serve` may create before the switch, parents first.
    static func statePaths(_ config: MoatConfig) -> [String] {
        StateLocation.all(config).flatMap(\.createdPaths)
    }

    private static func holdsGroup(_ gid: gid_t) -> Bool {
        AccountDatabase.heldGroups().contains(gid)
    }
}

extension ServiceError {
    /// The error as a config issue at the key it is about (`file:line: [service] user: …`),
    /// for `serve` and `config check` alike; a failed switch names no key.
    func issue(in origin: ConfigOrigin) -> String {
        guard let setting else { return description }
        return origin.issue(setting.section, setting.key, reason).description
    }
}
