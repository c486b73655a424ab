/// What `moat --version` prints: the release this tree is, and the exact build (`git
/// describe` at build time, from the BuildStamp plugin).
enum MoatVersion {
    /// Raised with each release; the README's upgrade notes refer to it.
    static let release = "0.10.0"
    static var text: String { "moat \(release) (build \(moatBuild))" }
}
