extension Duration {
    /// The duration in seconds, for metrics and rates.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
