import FaafoCluster
import FaafoTestKit
import Foundation
import Testing

/// `faafo-sim run --cluster` interrupted with Ctrl-C (SIGINT) stops every process it
/// started and removes its virtual host and scratch folder: nothing is left behind.
@Suite(.tags(.endToEnd, .rabbitMQ), .needs(.rabbitMQ), .timeLimit(.minutes(3)))
struct InterruptTests {
    static let scenarios = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "Scenarios")

    @Test func anInterruptedClusterRunLeavesNothingBehind() async throws {
        let sim = try ServiceProcess(
            try LocalCluster.executablesFolder().appending(path: "faafo-sim"),
            ["run", Self.scenarios.appending(path: "smoke.yaml").path, "--cluster", "--tasks", "20000"],
            name: "faafo-sim")
        // Wait until the API and both workers are up and tasks are being created.
        let deadline = ContinuousClock.now + .seconds(90)
        var children: [Int32] = []
        func named(_ name: String) -> Int { children.filter { Self.command(of: $0).hasSuffix("/" + name) }.count }
        while ContinuousClock.now < deadline {
            children = Self.children(of: sim.pid)
            if named("faafo-api") == 1 && named("faafo-worker") == 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(named("faafo-api") == 1 && named("faafo-worker") == 2, "faafo-sim's children: \(children)\n\(sim.log)")
        // The API's arguments name the cluster's virtual host and scratch folder.
        let api = try #require(children.first { Self.command(of: $0).hasSuffix("/faafo-api") })
        let arguments = Self.arguments(of: api)
        let transport = try #require(arguments.firstIndex(of: "--transport-url").map { arguments[$0 + 1] })
        let virtualHost = String(try #require(transport.split(separator: "/").last))
        let database = try #require(arguments.firstIndex(of: "--database-url").map { arguments[$0 + 1] })
        let folder = URL(fileURLWithPath: String(database.dropFirst("sqlite:///".count))).deletingLastPathComponent()
        #expect(virtualHost.hasPrefix("faafo-cluster-"))
        #expect(FileManager.default.fileExists(atPath: folder.path))
        try await Task.sleep(for: .milliseconds(500))

        sim.signal(SIGINT)
        let exit = ContinuousClock.now + .seconds(30)
        while sim.isRunning && ContinuousClock.now < exit { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!sim.isRunning)
        #expect(sim.process.terminationStatus == 128 + SIGINT, "\(sim.log)")
        #expect(sim.log.contains("interrupted: stopped every process this run started"))
        // SIGKILLed, then reaped by init: gone within a moment.
        let gone = ContinuousClock.now + .seconds(10)
        while children.contains(where: Self.isAlive) && ContinuousClock.now < gone {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(!children.contains(where: Self.isAlive), "still running: \(children.filter(Self.isAlive))")
        // And what the cluster made is removed too.
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        let vhosts = try await runCommand(URL(fileURLWithPath: "/usr/sbin/rabbitmqctl"), ["-q", "list_vhosts"])
        #expect(vhosts.status == 0)
        #expect(!vhosts.output.split(separator: "\n").contains { $0 == virtualHost })
    }

    /// The processes whose parent is `pid`, read from /proc.
    static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { parent(of: $0) == pid }
    }

    /// The program a process runs (the first word of /proc/PID/cmdline).
    static func command(of pid: Int32) -> String {
        arguments(of: pid).first ?? ""
    }

    /// A process's command line, word by word.
    static func arguments(of pid: Int32) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The parent pid in /proc/PID/stat (the field after the parenthesised name).
    static func parent(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// Running, and not a zombie waiting to be reaped.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }
}
