/// What the rule parser carries between files: rule metadata seen before (or without) its
/// rule, the raw rule definitions before ReplaceTags expansion, and ReplaceTags' tables.
/// SpamAssassin keeps these as separate tables (`scoreset`, `descriptions`, `tflags`,
/// `replace_tag`…) and joins them at the end of parsing; so does `RuleLoader.finish`.
struct RuleParserState: Sendable {
    struct Scores: Sendable {
        var values: [Double]
        var location: SourceLocation
    }

    /// Plugins Moat implements; only these satisfy `ifplugin` / `plugin(...)`.
    var pluginsAvailable: Set<String> = RuleLoader.nativePlugins
    /// Rule tests as written (last definition wins), metadata not yet merged.
    var definitions: [String: RuleDefinition] = [:]
    var order: [String] = []
    var scores: [String: Scores] = [:]
    var describes: [String: String] = [:]
    var tflags: [String: [String]] = [:]
    var priorities: [String: Int] = [:]

    // ReplaceTags plugin configuration.
    var replaceStart = "<"
    var replaceEnd = ">"
    var replaceTags: [String: String] = [:]
    var replacePre: [String: String] = [:]
    var replaceInter: [String: String] = [:]
    var replacePost: [String: String] = [:]
    var replaceRules: Set<String> = []

    /// Findings made while reading lines; `finish` appends its own after these.
    var diagnostics: [LintMessage] = []
}
