import FaafoTestKit
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Debian's chromium in headless mode, run as a command with a time limit. Its network
/// is confined to loopback, and it is told not to phone home.
struct Chromium {
    let executable: URL

    /// `FAAFO_CHROMIUM`, else the first of chromium, chromium-browser, google-chrome on PATH
    /// (`Browser.chromium`; a test that drives it says `.needs(.browser)`).
    static let located: Chromium? = Browser.chromium.map { Chromium(executable: $0) }

    /// Runs chromium headless on `arguments` in a fresh profile under `folder`; returns
    /// what it printed on stdout. Throws if it exits with an error or runs past `timeout`
    /// (it is then killed).
    func run(_ arguments: [String], in folder: URL, timeout: Duration = .seconds(90)) async throws -> String {
        let profile = folder.appending(path: "profile-\(UUID().uuidString)")
        let output = folder.appending(path: "chromium-\(UUID().uuidString).out")
        let errors = folder.appending(path: "chromium-\(UUID().uuidString).err")
        for file in [output, errors] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        let process = Process()
        process.executableURL = executable
        process.arguments =
            [
                "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                "--user-data-dir=\(profile.path)", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--disable-default-apps", "--no-pings",
                "--disable-domain-reliability", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            ]
            // Chromium's sandbox refuses to run as root, as CI does.
            + (geteuid() == 0 ? ["--no-sandbox"] : []) + arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()

        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            process.terminate()
            try? await Task.sleep(for: .seconds(2))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            throw Failure("chromium ran longer than \(timeout) and was killed: \(try tail(errors))")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure("chromium exited with status \(process.terminationStatus): \(try tail(errors))")
        }
        return String(decoding: try Data(contentsOf: output), as: UTF8.self)
    }

    private func tail(_ file: URL) throws -> String {
        String(String(decoding: try Data(contentsOf: file), as: UTF8.self).suffix(2000))
    }
}
