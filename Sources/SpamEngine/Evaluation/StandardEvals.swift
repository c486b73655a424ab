extension SAMessage: RuleSubject {}

extension EvalRegistry {
    /// Every eval function Moat implements, configured from the rule files.
    public static func standard(_ config: RuleConfiguration) -> EvalRegistry {
        var registry = EvalRegistry()
        registry.registerHeaderEvals(config: config)
        registry.registerFreeMailEvals(config: config)
        registry.registerWLBLEvals(config: config)
        registry.registerURIHostListEvals(config: config)
        registry.registerHTMLEvals(config: config)
        registry.registerMIMEEvals(config: config)
        registry.registerRelayEvals(config: config)
        registry.registerBodyEvals(config: config)
        registry.registerImageInfoEvals(config: config)
        return registry
    }
}
