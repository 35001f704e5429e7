/// Which solved examples precede a query. Deterministic so a number can be
/// reproduced: the first `shots` items of the task other than the query itself
/// (stated in the protocol as `fewshot=first-k-others`).
enum FewShotSampler {
    static let protocolName = "first-k-others"

    static func shots<T>(for index: Int, in items: [T], count: Int) -> [T] {
        guard count > 0 else { return [] }
        var out: [T] = []
        for (i, item) in items.enumerated() where i != index {
            out.append(item)
            if out.count == count { break }
        }
        return out
    }
}
