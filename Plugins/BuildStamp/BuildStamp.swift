import Foundation
import PackagePlugin

/// Bakes `git describe` of the source tree into the `moat` binary at build time (no network:
/// git reads the local repository), so `moat --version` names the exact build. Outside a
/// git checkout (a release tarball) the build is "unknown". The file is rewritten only when
/// the text changes, so an unchanged tree recompiles nothing.
@main
struct BuildStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "stamp")
        let script = #"""
            build=$(git -C "$1" describe --tags --always --dirty 2>/dev/null || echo unknown)
            text="/// Generated at build time by the BuildStamp plugin.
            let moatBuild = \"$build\""
            mkdir -p "$2"
            [ "$(cat "$2/BuildStamp.swift" 2>/dev/null)" = "$text" ] || printf '%s\n' "$text" > "$2/BuildStamp.swift"
            """#
        return [.prebuildCommand(displayName: "Stamping moat's build with git describe",
                                 executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path],
                                 outputFilesDirectory: output)]
    }
}
