import Foundation

extension FaafoConfiguration {
    /// Reads the configuration with the original's precedence: command line, then
    /// environment, then config file, then the built-in defaults.
    ///
    /// - Parameters:
    ///   - cliOverrides: values given on the command line, keyed as in the file
    ///     (`bind_port`), with dashes or as options (`--bind-port`). An unknown key is a
    ///     programming error, reported as `unknownKey`.
    ///   - environment: the process environment. `FAAFO_<KEY>` sets a key (an empty
    ///     variable counts as unset); `FAAFO_CONFIG_FILE` names a config file. Other
    ///     variables are ignored.
    ///   - configFilePath: a config file named on the command line (`--config-file`).
    ///     It, or one named by `FAAFO_CONFIG_FILE`, must exist.
    ///   - defaultConfigFilePath: read when no file is named and it exists; `nil` reads none.
    /// - Throws: `ConfigurationError`, whose description is one line naming the file and
    ///   line, or the key and where its value came from.
    public static func load(
        cliOverrides: [String: String] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        configFilePath: String? = nil,
        defaultConfigFilePath: String? = FaafoConfiguration.defaultConfigFilePath
    ) throws(ConfigurationError) -> FaafoConfiguration {
        var layers = RawLayers()

        // The file.
        let namedFile = configFilePath ?? environment[configFileVariable].flatMap { $0.isEmpty ? nil : $0 }
        let file: INIFile?
        if let namedFile {
            file = try readConfigFile(namedFile, mustExist: true)
        } else if let defaultConfigFilePath {
            file = try readConfigFile(defaultConfigFilePath, mustExist: false)
        } else {
            file = nil
        }
        var ignored: [IgnoredKey] = []
        for entry in file?.defaultSection ?? [] {
            guard let key = ConfigurationKey(named: entry.key) else {
                ignored.append(IgnoredKey(key: entry.key, line: entry.line))
                continue
            }
            layers.set(key, entry.value, from: .file(path: file!.path, line: entry.line))
        }

        // The environment.
        for key in ConfigurationKey.allCases {
            if let value = environment[key.environmentVariable], !value.isEmpty {
                layers.set(key, value, from: .environment(variable: key.environmentVariable))
            }
        }

        // The command line, in a fixed order so the first error reported does not vary.
        for (name, value) in cliOverrides.sorted(by: { $0.key < $1.key }) {
            guard let key = ConfigurationKey(named: name) else {
                throw ConfigurationError(
                    code: .unknownKey, key: name, source: .commandLine(option: name),
                    message: "unknown configuration option '\(name)'; known: "
                        + ConfigurationKey.allCases.map(\.name).sorted().joined(separator: ", "))
            }
            layers.set(key, value, from: .commandLine(option: key.option))
        }

        var configuration = try layers.resolve()
        configuration.configFile = file?.path
        configuration.ignoredKeys = ignored
        return configuration
    }

    private static func readConfigFile(_ path: String, mustExist: Bool) throws(ConfigurationError) -> INIFile? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            if !mustExist { return nil }
            throw ConfigurationError(
                code: .fileNotFound, source: .file(path: path, line: 0),
                message: "config file \(path) does not exist")
        }
        guard !isDirectory.boolValue else {
            throw ConfigurationError(
                code: .fileUnreadable, source: .file(path: path, line: 0),
                message: "config file \(path) is a folder, not a file")
        }
        // A FileHandle reads devices and pipes too: --config-file /dev/null, or <(…) in a shell.
        guard FileManager.default.isReadableFile(atPath: path), let handle = FileHandle(forReadingAtPath: path) else {
            throw ConfigurationError(
                code: .fileUnreadable, source: .file(path: path, line: 0),
                message: "cannot read config file \(path): permission denied")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw ConfigurationError(
                code: .fileUnreadable, source: .file(path: path, line: 0),
                message: "cannot read config file \(path): \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(
                code: .fileUnreadable, source: .file(path: path, line: 0),
                message: "config file \(path) is not UTF-8 text")
        }
        return try INIFile(parsing: text, path: path)
    }
}

/// The text of each key from the highest-precedence layer that set it.
private struct RawLayers {
    var values: [ConfigurationKey: (text: String, source: ConfigurationSource)] = [:]

    /// Layers are applied from lowest to highest precedence: a later call wins.
    mutating func set(_ key: ConfigurationKey, _ text: String, from source: ConfigurationSource) {
        values[key] = (text, source)
    }

    /// Parses and checks every value that was set, in key order.
    func resolve() throws(ConfigurationError) -> FaafoConfiguration {
        var c = FaafoConfiguration()
        for key in values.keys.sorted() {
            let (text, source) = values[key]!
            let v = ValueParser(key: key, text: text, source: source)
            switch key {
            case .transportURL: c.transportURL = try v.transportURL()
            case .amqpCAFile: c.amqpCAFile = try v.readableFile()
            case .amqpCertFile: c.amqpCertFile = try v.readableFile()
            case .amqpKeyFile: c.amqpKeyFile = try v.readableFile()
            case .queueType:
                guard let type = QueueTypeOption(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
                    throw v.invalid("expected " + QueueTypeOption.allCases.map(\.rawValue).joined(separator: " or "))
                }
                c.queueType = type
            case .amqpHeartbeat: c.amqpHeartbeat = try v.integer(in: 0...3600, what: "whole seconds (0: no heartbeats)")
            case .databaseURL:
                if case .failure(let error) = DatabaseLocation.parse(text) { throw v.invalid(error.reason) }
                c.databaseURL = text
            case .databasePoolSize: c.databasePoolSize = try v.integer(in: 1...1000, what: "a number of connections")
            case .endpointURL: c.endpointURL = try v.url(schemes: ["http", "https"], hostRequiredUnless: [])
            case .listenAddress: c.listenAddress = try v.address()
            case .bindPort: c.bindPort = try v.integer(in: 0...65535, what: "a port number")
            case .imageStore:
                switch ImageStore.parse(text) {
                case .success(let store): c.imageStore = store
                case .failure(let error): throw v.invalid(error.reason)
                }
            case .swiftAuthURL: c.swiftAuthURL = try v.url(schemes: ["http", "https"], hostRequiredUnless: [])
            case .swiftUser: c.swiftUser = try v.nonEmpty("a Swift user such as account:user")
            case .swiftKey: c.swiftKey = try v.nonEmpty("the Swift user's key")
            case .workerToken: c.workerToken = try v.token()
            case .operatorToken: c.operatorToken = try v.token()
            case .createToken: c.createToken = try v.token()
            case .workers: c.workers = try v.integer(in: 0...1024, what: "a number of workers")
            case .renderThreads: c.renderThreads = try v.integer(in: 0...1024, what: "a number of threads")
            case .workBudget: c.workBudget = try v.integer(in: 1...Int.max, what: "a positive whole number")
            case .resultsPerPage: c.resultsPerPage = try v.integer(in: 1...1000, what: "a page size")
            case .connectTimeout: c.connectTimeout = try v.seconds()
            case .requestTimeout: c.requestTimeout = try v.seconds()
            case .idleTimeout: c.idleTimeout = try v.seconds()
            case .metricsPort: c.metricsPort = try v.integer(in: 0...65535, what: "a port number")
            case .verbose: c.verbose = try v.boolean()
            case .debug: c.debug = try v.boolean()
            }
            c.sources[key] = source
        }
        try Self.checkSwiftOptions(c)
        try Self.checkClientCertificate(c)
        return c
    }

    /// A client certificate comes with its key, and a key with its certificate.
    private static func checkClientCertificate(_ c: FaafoConfiguration) throws(ConfigurationError) {
        guard (c.amqpCertFile == nil) != (c.amqpKeyFile == nil) else { return }
        let (given, missing): (ConfigurationKey, ConfigurationKey) =
            c.amqpCertFile != nil ? (.amqpCertFile, .amqpKeyFile) : (.amqpKeyFile, .amqpCertFile)
        throw .invalid(
            given, c.text(of: given), from: c.source(of: given),
            "a client certificate also needs \(missing.name) (\(missing.option), \(missing.environmentVariable))")
    }

    /// `image_store = swift://` is usable only with the three options that reach Swift.
    private static func checkSwiftOptions(_ c: FaafoConfiguration) throws(ConfigurationError) {
        guard case .swift = c.imageStore else { return }
        let missing = [
            (ConfigurationKey.swiftAuthURL, c.swiftAuthURL), (.swiftUser, c.swiftUser), (.swiftKey, c.swiftKey),
        ].filter { $0.1 == nil }.map(\.0)
        guard !missing.isEmpty else { return }
        throw .invalid(
            .imageStore, c.imageStore.description, from: c.source(of: .imageStore),
            "a Swift image store also needs " + missing.map { "\($0.name) (\($0.option), \($0.environmentVariable))" }
                .joined(separator: ", "))
    }
}

/// Parses one value; every failure names the key, the text and where it came from.
private struct ValueParser {
    let key: ConfigurationKey
    let text: String
    let source: ConfigurationSource

    func invalid(_ reason: String) -> ConfigurationError {
        let shown = key.isSecret && !text.isEmpty ? "***" : text
        return .invalid(key, Redaction.redactingPassword(shown), from: source, reason)
    }

    /// A bearer token: what an HTTP header can carry, so a stray newline or space from a
    /// file is an error here rather than a 401 later. The error never shows the value.
    func token() throws(ConfigurationError) -> String {
        guard !text.isEmpty else { throw invalid("empty: expected a bearer token") }
        guard text.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            throw invalid("a bearer token is printable ASCII without spaces")
        }
        return text
    }

    func integer(in range: ClosedRange<Int>, what: String) throws(ConfigurationError) -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let bounds = range.upperBound == .max ? "at least \(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
        guard let value = Int(trimmed) else { throw invalid("not \(what) (\(bounds))") }
        guard range.contains(value) else { throw invalid("out of range: expected \(what), \(bounds)") }
        return value
    }

    func seconds() throws(ConfigurationError) -> Double {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw invalid("not a number of seconds")
        }
        guard value > 0 else { throw invalid("must be more than 0 seconds") }
        return value
    }

    /// oslo.config's spellings: true/false, yes/no, on/off, 1/0, in any case.
    func boolean() throws(ConfigurationError) -> Bool {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw invalid("not true or false")
        }
    }

    /// A file that exists and can be read (a certificate, a key): checked when the
    /// configuration loads, so that a typo is reported with its option, not as a TLS failure.
    func readableFile() throws(ConfigurationError) -> String {
        guard !text.isEmpty else { throw invalid("empty: expected the path of a PEM file") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory) else {
            throw invalid("no such file")
        }
        guard !isDirectory.boolValue, FileManager.default.isReadableFile(atPath: text) else {
            throw invalid("not a readable file")
        }
        return text
    }

    /// `transport_url`: `memory://`, or one or several brokers (`amqp://u:p@h1,u:p@h2/`,
    /// kombu's `amqp://h1;amqp://h2`), each checked as a URL of its own.
    func transportURL() throws(ConfigurationError) -> String {
        let schemes = FaafoConfiguration.transportSchemes
        var first: Substring?
        for part in text.split(separator: ";", omittingEmptySubsequences: false) {
            let part = part.trimmingCharacters(in: .whitespaces)
            guard let schemeEnd = part.range(of: "://") ?? (first == nil ? nil : part.startIndex..<part.startIndex) else {
                throw invalid("not a URL (expected \(schemes.sorted().map { "\($0)://" }.joined(separator: ", ")))")
            }
            let scheme = schemeEnd.isEmpty ? first! : Substring(part[..<schemeEnd.lowerBound])
            if first == nil { first = scheme }
            let rest = part[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
            let hosts = rest[..<authorityEnd].split(separator: ",", omittingEmptySubsequences: false)
            for host in hosts {
                let single = "\(scheme)://\(host)\(rest[authorityEnd...])"
                if let problem = Self.problem(ofURL: single, schemes: schemes, hostRequiredUnless: ["memory"]) {
                    throw invalid(hosts.count > 1 || text.contains(";") ? "broker '\(Redaction.redactingPassword(single))': \(problem)" : problem)
                }
            }
            if scheme.lowercased() == "memory", text.contains(";") || hosts.count > 1 {
                throw invalid("memory:// names one in-process queue, not several brokers")
            }
        }
        return text
    }

    func url(schemes: Set<String>, hostRequiredUnless hostless: Set<String>) throws(ConfigurationError) -> String {
        if let problem = Self.problem(ofURL: text, schemes: schemes, hostRequiredUnless: hostless) {
            throw invalid(problem)
        }
        return text
    }

    /// What is wrong with `text` as a URL of one of `schemes`, or nil.
    private static func problem(ofURL text: String, schemes: Set<String>, hostRequiredUnless hostless: Set<String>) -> String? {
        let accepted = schemes.sorted().map { "\($0)://" }.joined(separator: ", ")
        guard let schemeEnd = text.range(of: "://"), let url = URL(string: text), let scheme = url.scheme?.lowercased()
        else {
            return "not a URL (expected \(accepted))"
        }
        guard text[..<schemeEnd.lowerBound].lowercased() == scheme else { return "not a URL (expected \(accepted))" }
        guard schemes.contains(scheme) else { return "unsupported scheme '\(scheme)': expected \(accepted)" }
        if !hostless.contains(scheme), url.host?.isEmpty ?? true {
            return "the URL names no host"
        }
        if let port = url.port, !(1...65535).contains(port) {
            return "port \(port) is out of range (1 to 65535)"
        }
        return nil
    }

    /// An IPv4 or IPv6 address or a host name: no spaces, nothing a URL would add.
    /// The text as it is, refused when empty.
    func nonEmpty(_ what: String) throws(ConfigurationError) -> String {
        guard !text.isEmpty else { throw invalid("empty: expected \(what)") }
        return text
    }

    func address() throws(ConfigurationError) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:%_")
        guard !text.isEmpty else { throw invalid("empty: expected an address such as 0.0.0.0 or ::") }
        guard text.allSatisfy(allowed.contains) else {
            throw invalid("not an address or host name (for example 0.0.0.0, 127.0.0.1, ::)")
        }
        return text
    }
}
