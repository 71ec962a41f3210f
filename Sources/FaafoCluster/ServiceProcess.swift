import Foundation
import Synchronization

/// A faafo service (or any program) started as its own process, as an operator would
/// start it, with its output captured. Every process started here is registered so that
/// `ServiceProcess.stopAllOnInterrupt()` can end them all when the runner is interrupted,
/// and a released `ServiceProcess` kills its process.
public final class ServiceProcess: @unchecked Sendable {
    public let name: String
    public let process = Process()
    private let output = Shared("")

    /// Starts `executable` with `arguments`. Every FAAFO_* variable is removed from the
    /// environment (a service started here is configured by its arguments alone), then
    /// `environment` is added.
    public init(_ executable: URL, _ arguments: [String], name: String, environment: [String: String] = [:]) throws {
        self.name = name
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FAAFO_") }
        env.merge(environment) { _, new in new }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = self.output
        _ = PipeReader(pipe.fileHandleForReading) { data in
            output.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        do {
            try process.run()
        } catch {
            throw ClusterError("cannot start \(name) (\(executable.path)): \(error)")
        }
        _ = Self.running.withLock { $0.insert(process.processIdentifier) }
    }

    /// Everything the process wrote to stdout and stderr so far.
    public var log: String { output.withLock { $0 } }
    public var isRunning: Bool { process.isRunning }
    public var pid: Int32 { process.processIdentifier }

    /// How many lines of the log contain `text`.
    public func logCount(of text: String) -> Int {
        output.withLock { $0.components(separatedBy: text).count - 1 }
    }

    /// Waits until the log contains `text` (at most `timeout`); returns that line.
    @discardableResult
    public func waitForLog(_ text: String, timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = log.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            if !process.isRunning {
                throw ClusterError("\(name) exited (status \(process.terminationStatus)) before logging '\(text)':\n\(log.suffix(3000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ClusterError("\(name) did not log '\(text)' within \(timeout):\n\(log.suffix(3000))")
    }

    /// The port of the first `listening on HOST:PORT` line faafo-api logged, if any.
    public var listeningPort: Int? {
        for line in log.split(separator: "\n") {
            guard let range = line.range(of: "listening on ") else { continue }
            let address = line[range.upperBound...].prefix { !$0.isWhitespace && $0 != "," }
            if let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), port > 0 {
                return port
            }
        }
        return nil
    }

    /// Sends `signal` (SIGKILL, SIGSTOP, SIGCONT, …) if the process is still running.
    public func signal(_ signal: Int32) {
        if process.isRunning { Foundation.kill(process.processIdentifier, signal) }
    }

    /// SIGKILL, then waits for the process to be gone.
    public func kill() {
        signal(SIGKILL)
        process.waitUntilExit()
        Self.running.withLock { _ = $0.remove(process.processIdentifier) }
    }

    /// SIGTERM (after SIGCONT, in case it was stopped), then SIGKILL if it is still there
    /// after `grace`.
    public func stop(grace: Duration = .seconds(5)) async {
        signal(SIGCONT)
        signal(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        kill()
    }

    deinit {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            Self.running.withLock { _ = $0.remove(process.processIdentifier) }
        }
    }

    // MARK: - Interruption

    private static let running = Mutex(Set<Int32>())
    private static let signalSources = Mutex<[any DispatchSourceSignal]>([])
    private static let cleanups = Mutex<[UUID: @Sendable () -> Void]>([:])
    private static let interruptedFlag = Atomic<Bool>(false)

    /// Whether SIGINT or SIGTERM has arrived. The handler is then killing every process
    /// and will exit, so a failure seen after this is the interruption's doing (a worker
    /// killed before it logged 'consuming'), not the run's: report nothing and call
    /// `awaitInterruptExit()`.
    public static var isInterrupted: Bool { interruptedFlag.load(ordering: .acquiring) }

    /// Waits for the interrupt handler to end the process; never returns.
    public static func awaitInterruptExit() async -> Never {
        while true { try? await Task.sleep(for: .seconds(1)) }
    }

    /// Registers `cleanup` to run if the runner is interrupted, after every process is
    /// killed (a cluster removes its virtual host and scratch folder there). Returns the
    /// token that `cancelInterruptCleanup` takes once the cleanup has happened normally.
    public static func onInterrupt(_ cleanup: @escaping @Sendable () -> Void) -> UUID {
        let token = UUID()
        cleanups.withLock { $0[token] = cleanup }
        return token
    }

    public static func cancelInterruptCleanup(_ token: UUID) {
        _ = cleanups.withLock { $0.removeValue(forKey: token) }
    }

    /// On SIGINT or SIGTERM, kills every process started here that is still running, runs
    /// the cleanups registered with `onInterrupt`, then exits with 128 + the signal's
    /// number. Call once, early, in a command that starts processes.
    public static func stopAllOnInterrupt() {
        signalSources.withLock { sources in
            guard sources.isEmpty else { return }
            for signalNumber in [SIGINT, SIGTERM] {
                Foundation.signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler {
                    interruptedFlag.store(true, ordering: .releasing)
                    for pid in running.withLock({ $0 }) {
                        Foundation.kill(pid, SIGCONT)
                        Foundation.kill(pid, SIGKILL)
                    }
                    for cleanup in cleanups.withLock({ Array($0.values) }) { cleanup() }
                    FileHandle.standardError.write(Data("interrupted: stopped every process this run started\n".utf8))
                    exit(128 + signalNumber)
                }
                source.resume()
                sources.append(source)
            }
        }
    }
}

/// A failure to start, reach or control a process of a local cluster.
public struct ClusterError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs a command to completion (at most `timeout`) and returns its exit status and its
/// output (stdout and stderr together).
@discardableResult
public func runCommand(_ command: URL, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (
    status: Int32, output: String
) {
    let process = Process()
    process.executableURL = command
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    let output = Shared(Data())
    let reader = PipeReader(pipe.fileHandleForReading) { data in output.withLock { $0.append(data) } }
    do {
        try process.run()
    } catch {
        throw ClusterError("cannot run \(command.path): \(error)")
    }
    let deadline = ContinuousClock.now + timeout
    while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
    if process.isRunning {
        process.terminate()
        throw ClusterError("\(command.lastPathComponent) \(arguments.joined(separator: " ")) took longer than \(timeout)")
    }
    // What is still in the pipe arrives within moments (unless a child left running holds
    // the pipe open: then what came so far is the output).
    await reader.waitForEnd(within: .seconds(5))
    let text = output.withLock { String(decoding: $0, as: UTF8.self) }
    return (process.terminationStatus, text)
}

/// What a pipe has to read now, read with read(2): Foundation's `availableData` traps when
/// a signal interrupts the read (EINTR), which a test process full of children gets.
/// Blocks until something arrives; empty at the end of the stream or on an error.
package func readAvailable(_ handle: FileHandle) -> Data {
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = read(handle.fileDescriptor, &buffer, buffer.count)
        if count >= 0 { return Data(buffer.prefix(count)) }
        if errno != EINTR { return Data() }
    }
}

/// Everything left on a pipe up to its end, read with read(2) for the reason above.
package func readToEnd(_ handle: FileHandle) -> Data {
    var data = Data()
    while true {
        let chunk = readAvailable(handle)
        if chunk.isEmpty { return data }
        data.append(chunk)
    }
}

/// Reads a pipe to its end on a thread of its own, handing each chunk to `received` as it
/// comes. Not FileHandle's `readabilityHandler`: its dispatch source crashed libdispatch's
/// event loop under load here, and a blocking read on Swift's shared pool would hold up
/// one of its few threads.
package final class PipeReader: Sendable {
    private let ended = Mutex(false)

    @discardableResult
    package init(_ handle: FileHandle, received: @escaping @Sendable (Data) -> Void) {
        Thread { [self] in
            while true {
                let chunk = readAvailable(handle)
                if chunk.isEmpty { break }
                received(chunk)
            }
            ended.withLock { $0 = true }
        }.start()
    }

    /// Waits (at most `timeout`) until the pipe has reached its end.
    package func waitForEnd(within timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while !ended.withLock({ $0 }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// A value shared with the thread that reads a pipe.
private final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
}
