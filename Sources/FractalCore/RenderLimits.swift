/// The limits of the render contract. Only the work budget is meant to be configured;
/// the others are part of the contract itself.
public struct RenderLimits: Hashable, Sendable {
    public static let sideRange = 2...16384
    public static let iterationRange = 1...100_000
    public static let defaultWorkBudget = 1 << 36

    /// The largest width × height × iterations accepted.
    public var workBudget: Int

    public init(workBudget: Int = RenderLimits.defaultWorkBudget) {
        self.workBudget = workBudget
    }

    public static let `default` = RenderLimits()
}
