/// Where a configuration value came from: it is named in every error about the value.
public enum ConfigurationSource: Hashable, Sendable, CustomStringConvertible {
    /// A command-line option, e.g. `--bind-port`.
    case commandLine(option: String)
    /// An environment variable, e.g. `FAAFO_BIND_PORT`.
    case environment(variable: String)
    /// A line of a config file.
    case file(path: String, line: Int)
    /// Nothing set it.
    case builtInDefault

    public var description: String {
        switch self {
        case .commandLine(let option): return option
        case .environment(let variable): return variable
        case .file(let path, let line): return "\(path):\(line)"
        case .builtInDefault: return "default"
        }
    }
}
