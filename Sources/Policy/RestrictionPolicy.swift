import MoatCore

/// The configured restriction lists, mynetworks and reply codes: what `[mx.restrictions]`
/// becomes. Immutable once built, shared by all sessions.
public struct RestrictionPolicy: Sendable {
    public var lists: [PolicyStage: [Restriction]]
    public var mynetworks: NetworkSet
    public var codes: RejectCodes

    public init(lists: [PolicyStage: [Restriction]], mynetworks: NetworkSet, codes: RejectCodes = RejectCodes()) {
        self.lists = lists
        self.mynetworks = mynetworks
        self.codes = codes
    }

    /// Parses every list; a stage without a list has no restrictions (Postfix's defaults
    /// are the caller's business: the MX config documents them).
    public init(
        parsing config: [PolicyStage: [String]], mynetworks: NetworkSet, codes: RejectCodes = RejectCodes(),
        parser: RestrictionParser = RestrictionParser()
    ) throws(RestrictionParseError) {
        var lists: [PolicyStage: [Restriction]] = [:]
        for stage in PolicyStage.allCases {
            lists[stage] = try parser.parse(config[stage] ?? [], stage: stage)
        }
        self.init(lists: lists, mynetworks: mynetworks, codes: codes)
    }

    public func list(_ stage: PolicyStage) -> [Restriction] { lists[stage] ?? [] }
}
