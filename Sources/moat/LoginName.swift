import Foundation
import MoatCore
#if canImport(Glibc)
import Glibc
#endif

/// Who is running the command, for records such as a quarantine release: the user
/// behind sudo when there is one (the admin, not root), else the process's own user.
enum LoginName {
    static var current: String {
        if let sudoUser = ProcessInfo.processInfo.environment["SUDO_USER"], !sudoUser.isEmpty { return sudoUser }
        if let name = AccountDatabase.userName(of: getuid()) { return name }
        return "uid \(getuid())"
    }
}
