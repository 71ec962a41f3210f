import FaafoCluster
import FaafoTestKit
import HostLab
import FaafoWire
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// faafo's Debian package (scripts/package) on a fresh Debian 12 that is not the build
/// machine: a minimal root made by debootstrap (scripts/fresh-debian, cached once per
/// machine), with no Swift toolchain, into which apt installs the package and what it
/// depends on. The package is FAAFO_TEST_PACKAGE when CI made it already (scripts/test),
/// else the test makes it from this build's folder (`scripts/package --from`). apt runs in
/// the machine's own network namespace (it reaches the mirror); the installed programs run
/// chrooted on test hosts.
@Suite(.tags(.endToEnd, .testHosts, .ownBrokerNodes, .debianPackage), .serialized, .timeLimit(.minutes(10)))
struct DebianPackageTests {
    static let scripts = InstallScriptTests.script.deletingLastPathComponent()

    /// The tutorial's worker host, from the package: a fresh root gets it with the
    /// checkout's install.sh, `-p` an http URL (served on loopback), and its own
    /// /usr/share/faafo/install.sh `-i faafo -r worker` starts the worker on a test host, against
    /// faafo-api (this build's) on another. The package's faafo then runs `faafo verify`
    /// (every golden case) and a demo batch through it from a third host, and every fractal
    /// has the render core's checksums, made by that worker, which runs as user faafo.
    @Test(.needs(.testHosts, .ownBrokerNodes, .debianRoots))
    func aWorkerInstalledFromThePackageOnAFreshDebianCompletesTasks() async throws {
        try await withScratchFolder { folder in
            let package = try await Self.package(into: folder)
            try await withTestHosts(["controller", "worker", "client"]) { hosts in
                try await Self.runWorkerFromThePackage(package, on: hosts, folder: folder)
            }
        }
    }

    private static func runWorkerFromThePackage(_ package: URL, on hosts: TestHosts, folder: URL) async throws {
        let endpoint = "http://\(hosts.host("controller").address):\(HostLayout.apiPort)"
        let layout = try HostLayout(hosts, endpoint: endpoint, apiHosts: ["controller"], serviceHosts: ["controller"])
        let broker = try await HostBroker(on: "controller", of: hosts)
        let port = try freeLoopbackPort()
        // The package at an http URL, as a cloud host would fetch it: on the machine's loopback.
        let server = try ServiceProcess(
            URL(fileURLWithPath: "/usr/bin/python3"),
            [
                "-u", "-m", "http.server", "--bind", "127.0.0.1", "\(port)", "--directory",
                package.deletingLastPathComponent().path,
            ],
            name: "package server")
        let root = DebianRoot(in: folder)
        try await withCleanup({
            _ = try? await hosts.run(on: "worker", root.invocation(["/usr/share/faafo/install.sh", "-k"]))
            await layout.stopServices()
            await broker.stop()
            await server.stop()
            await root.remove()
        }) {
            let transport = try await layout.installMessaging(on: "controller")
            let database = "sqlite:///" + hosts.host("controller").folder.appending(path: "data/faafo.db").path
            let token = try await layout.startAPI(on: "controller", transport: transport, database: database)
            try await server.waitForLog("Serving HTTP")
            // The debootstrap, once per machine, is not a host's work: made (or found) first.
            let clock = ContinuousClock()
            let cacheStart = clock.now
            let cache = try await DebianRoot.cache()
            let found = cache.made ? "made and cached" : "found cached"
            print("debian package: debootstrap root \(found) in \(Self.seconds(clock.now - cacheStart)): \(cache.path)")

            // From here: a fresh root, and the package at hand.
            let start = clock.now
            let made = try await root.make()
            let rootMade = clock.now
            try root.copyInstaller()
            let url = "http://127.0.0.1:\(port)/\(package.lastPathComponent)"
            let install = try await root.run(["/bin/bash", DebianRoot.installer, "-p", url, "-e", endpoint, "-m", transport])
            try #require(install.status == 0, "\(install.output)")
            #expect(install.output.contains("install.sh: installed faafo "), "\(install.output)")
            let installed = clock.now
            // As packaging/cloud-init/worker.yaml has it: the package's install.sh, -i faafo
            // taking the installed package as it is.
            let worker = try await hosts.run(
                on: "worker",
                root.invocation([
                    "/usr/share/faafo/install.sh", "-i", "faafo", "-r", "worker", "-e", endpoint, "-m", transport, "-t", token,
                ]),
                environment: ["FAAFO_SERVICE_MANAGER": "background"])
            try #require(worker.status == 0, "\(worker.output)")
            try await root.waitForLog("run/faafo/faafo-worker.log", "worker consuming")
            let consuming = clock.now
            print(
                "debian package: fresh root to a worker taking tasks in \(Self.seconds(consuming - start)) "
                    + "(root \(Self.seconds(rootMade - start)): \(made); "
                    + "install.sh -p over http with apt-get \(Self.seconds(installed - rootMade)); "
                    + "worker started \(Self.seconds(consuming - installed)))")

            // The package's faafo, from the client host: every golden case, then a demo batch.
            let verify = try await hosts.run(
                on: "client",
                root.invocation([
                    "/usr/bin/faafo", "--endpoint-url", endpoint, "verify", "--golden", "/usr/share/faafo/golden.json",
                ]),
                timeout: .seconds(180))
            #expect(verify.status == 0, "\(verify.output.suffix(3000))")
            let firstResult = clock.now
            let demoTasks = 20
            let demo = try await hosts.run(
                on: "client",
                root.invocation([
                    "/usr/bin/faafo", "--endpoint-url", endpoint, "demo", "--tasks", "\(demoTasks)", "--concurrency", "4",
                    "--width", "64",
                    "--height", "64", "--iterations", "64", "--random-seed", "24", "--verify",
                ]), timeout: .seconds(180))
            #expect(
                demo.status == 0 && demo.output.contains("\(demoTasks) submitted, \(demoTasks) completed"),
                "\(demo.output.suffix(3000))")

            let objects = try await layout.list()
            let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: root.file("usr/share/faafo/golden.json")))
            let goldenCases = ((golden as? [String: Any])?["cases"] as? [Any])?.count ?? 0
            #expect(goldenCases > 0 && objects.count == goldenCases + demoTasks, "\(objects.count) fractals stored")
            for object in objects {
                #expect(object.status == .completed && object.generatedBy == "worker", "\(object.uuid): \(object.status)")
                let expected = try expectedChecksums(object)
                #expect(object.checksum == expected.checksum && object.pixelChecksum == expected.pixelChecksum, "\(object.uuid)")
            }
            let user = try root.faafoUser()
            let pid = try root.pid("faafo-worker")
            #expect(try processUID(pid) == user.uid, "the worker runs as user faafo")

            print(
                "debian package: \(package.lastPathComponent) (\(Self.megabytes(package))); \(objects.count) fractals "
                    + "(\(goldenCases) golden cases, \(demoTasks) demo tasks) completed by the packaged worker with the render "
                    + "core's checksums, \(Self.seconds(clock.now - firstResult)) for the demo")
            try await Self.printStartupTimes(root)
        }
    }

    /// The package's system side: `dpkg -i` then `apt-get -f install` installs it; its units
    /// pass Debian's `systemd-analyze verify` and run the services as user faafo, which
    /// postinst made (a system user that may not log in); the executables run as that user,
    /// which reads faafo.conf and writes in /var/lib/faafo while other users cannot read the
    /// file. The package's install.sh writes its systemd drop-in, and starts faafo-api as
    /// faafo where no systemd runs. `dpkg -r` stops it, disables the units (enabled offline)
    /// and removes the executables but keeps faafo.conf (as install.sh left it, with its
    /// tokens) and the database; `dpkg --purge` removes them, and keeps the user (Debian's
    /// advice).
    @Test(.needs(.testHosts, .debianRoots))
    func thePackageRunsItsServicesAsFaafoAndRemovesCleanly() async throws {
        try await withScratchFolder { folder in
            let package = try await Self.package(into: folder)
            try await withTestHosts(["server"]) { hosts in
                let root = DebianRoot(in: folder)
                try await withCleanup({
                    _ = try? await hosts.run(on: "server", root.invocation(["/usr/share/faafo/install.sh", "-k"]))
                    await root.remove()
                }) {
                    try await Self.installUseAndRemove(package, root: root, hosts: hosts)
                }
            }
        }
    }

    private static func installUseAndRemove(_ package: URL, root: DebianRoot, hosts: TestHosts) async throws {
        _ = try await root.make()
        try FileManager.default.copyItem(at: package, to: root.file("tmp/faafo.deb"))
        // dpkg alone stops at the dependencies that the fresh root lacks; apt-get -f install
        // brings them and configures the package.
        let dpkg = try await root.run(["dpkg", "-i", "/tmp/faafo.deb"])
        #expect(
            dpkg.status != 0 && dpkg.output.contains("dependency problems"),
            "a minimal root lacks libpng and librabbitmq: \(dpkg.output)")
        let fix = try await root.run(["apt-get", "-f", "install", "-y", "-q"], timeout: .seconds(300))
        #expect(fix.status == 0, "\(fix.output)")
        try #require(try await root.packageStatus() == "install ok installed")

        // The units name the user; postinst made it, a system user that may not log in.
        for name in ["faafo-api", "faafo-worker"] {
            let unit = try String(contentsOf: root.file("lib/systemd/system/\(name).service"), encoding: .utf8)
            let lines = Set(unit.split(separator: "\n").map(String.init))
            #expect(lines.contains("User=faafo") && lines.contains("Group=faafo"), "\(name).service:\n\(unit)")
            #expect(lines.contains { $0.hasPrefix("ExecStart=/usr/bin/\(name) ") }, "\(unit)")
        }
        // systemd cannot run in the root, but Debian 12's systemd-analyze checks the units
        // there (the keys, the user, the executables), and systemctl enables them offline.
        let systemd = try await root.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "systemd"], timeout: .seconds(300))
        #expect(systemd.status == 0, "\(systemd.output)")
        let analyze = try await root.run(["systemd-analyze", "verify", "faafo-api.service", "faafo-worker.service"])
        #expect(analyze.status == 0 && !analyze.output.contains("faafo"), "systemd-analyze verify: \(analyze.output)")
        let enable = try await root.run(["systemctl", "enable", "faafo-api.service", "faafo-worker.service"])
        #expect(enable.status == 0, "\(enable.output)")
        let wants = ["faafo-api", "faafo-worker"].map { root.file("etc/systemd/system/multi-user.target.wants/\($0).service") }
        #expect(wants.allSatisfy { (try? FileManager.default.destinationOfSymbolicLink(atPath: $0.path)) != nil })
        let dropIn = try await Self.expectInstallShWritesADropIn(root)

        let user = try root.faafoUser()
        #expect(user.uid > 0 && user.uid < 1000 && user.home == "/var/lib/faafo" && user.shell == "/usr/sbin/nologin", "\(user)")
        let state = try FileManager.default.attributesOfItem(atPath: root.file("var/lib/faafo").path)
        #expect((state[.ownerAccountID] as? Int).map(UInt32.init) == user.uid, "/var/lib/faafo belongs to faafo")
        let conf = try FileManager.default.attributesOfItem(atPath: root.file("etc/faafo/faafo.conf").path)
        #expect((conf[.groupOwnerAccountID] as? Int).map(UInt32.init) == user.gid, "faafo.conf's group is faafo")
        #expect((conf[.posixPermissions] as? Int) == 0o640)

        // Every executable runs as faafo, which reads faafo.conf and writes in /var/lib/faafo.
        let asFaafo = try await root.run([
            "setpriv", "--reuid=faafo", "--regid=faafo", "--init-groups", "/bin/sh", "-c",
            "id -un && cat /etc/faafo/faafo.conf >/dev/null && for name in faafo faafo-api faafo-worker faafo-sim; do "
                + "/usr/bin/$name --help >/dev/null || exit 1; done && /usr/bin/faafo render --width 32 --height 32 --iterations 32 "
                + "--xa -1.6 --xb 1.6 --ya -1.2 --yb 1.2 --seed 7 --output /var/lib/faafo/render.png",
        ])
        #expect(
            asFaafo.status == 0 && asFaafo.output.hasPrefix("faafo\n")
                && asFaafo.output.contains("wrote /var/lib/faafo/render.png"), "\(asFaafo.output)")
        let asNobody = try await root.run([
            "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "cat", "/etc/faafo/faafo.conf",
        ])
        #expect(asNobody.status != 0, "faafo.conf holds tokens: only root and faafo read it")

        // No systemd in the root: the package's install.sh starts faafo-api in the
        // background, as faafo (as the unit would), with its tokens kept in faafo.conf.
        let api = try await hosts.run(
            on: "server",
            root.invocation(["/usr/share/faafo/install.sh", "-r", "api", "-m", "memory://", "-e", "http://127.0.0.1:8080"]),
            environment: ["FAAFO_SERVICE_MANAGER": "background", "FAAFO_LISTEN_ADDRESS": "127.0.0.1"])
        #expect(api.status == 0, "\(api.output)")
        try await root.waitForLog("run/faafo/faafo-api.log", "listening on 127.0.0.1:8080")
        let pid = try root.pid("faafo-api")
        #expect(try processUID(pid) == user.uid, "faafo-api runs as faafo")
        let list = try await hosts.run(
            on: "server", root.invocation(["/usr/bin/faafo", "--endpoint-url", "http://127.0.0.1:8080", "list"]))
        #expect(list.status == 0, "\(list.output)")
        let configured = try String(contentsOf: root.file("etc/faafo/faafo.conf"), encoding: .utf8)
        #expect(configured.contains("worker_token = "), "\(configured)")

        // dpkg -r: the service stops, the executables go, the configuration and data stay.
        let remove = try await root.run(["dpkg", "-r", "faafo"])
        #expect(remove.status == 0, "\(remove.output)")
        #expect(!isRunning(pid), "prerm stopped faafo-api")
        #expect(
            wants.allSatisfy { (try? FileManager.default.destinationOfSymbolicLink(atPath: $0.path)) == nil },
            "prerm disabled the units")
        for path in [
            "usr/bin/faafo", "usr/bin/faafo-api", "usr/bin/faafo-worker", "usr/bin/faafo-sim", "usr/lib/faafo", "usr/share/faafo",
            "lib/systemd/system/faafo-api.service", "lib/systemd/system/faafo-worker.service",
        ] {
            #expect(!FileManager.default.fileExists(atPath: root.file(path).path), "dpkg -r left /\(path)")
        }
        #expect(
            (try? String(contentsOf: root.file("etc/faafo/faafo.conf"), encoding: .utf8)) == configured,
            "dpkg -r keeps faafo.conf as it was")
        #expect(FileManager.default.fileExists(atPath: root.file("var/lib/faafo/faafo.db").path), "dpkg -r keeps the database")
        #expect(try await root.packageStatus() == "deinstall ok config-files")

        // dpkg --purge: the configuration and the data go; the user stays.
        let purge = try await root.run(["dpkg", "--purge", "faafo"])
        #expect(purge.status == 0, "\(purge.output)")
        #expect(!FileManager.default.fileExists(atPath: root.file("etc/faafo").path), "dpkg --purge removes /etc/faafo")
        #expect(!FileManager.default.fileExists(atPath: root.file("var/lib/faafo").path), "dpkg --purge removes /var/lib/faafo")
        #expect(
            !FileManager.default.fileExists(atPath: dropIn.deletingLastPathComponent().path),
            "dpkg --purge removes install.sh's drop-ins")
        #expect(try await root.packageStatus() == "", "no trace of the package in dpkg's database")
        #expect(try root.faafoUser().uid == user.uid, "the system user stays")
        print(
            "debian package: dpkg -i + apt-get -f install, services as faafo (uid \(user.uid)), dpkg -r and dpkg --purge checked")
    }

    /// install.sh's systemd side, which cannot run in the root: with a stand-in systemctl
    /// that records what it is asked (and /run/systemd/system, as systemd makes it), the
    /// package's `install.sh -i faafo -r worker` writes a drop-in with the host's options
    /// (a percent-encoded password escaped for systemd), reloads, and enables and starts
    /// the package's unit, which Debian's systemd-analyze then verifies with the drop-in.
    private static func expectInstallShWritesADropIn(_ root: DebianRoot) async throws -> URL {
        let standIn = root.file("usr/local/sbin/systemctl")
        let marker = root.file("run/systemd/system")
        try FileManager.default.createDirectory(at: marker, withIntermediateDirectories: true)
        try "#!/bin/sh\necho \"$*\" >>/tmp/systemctl.log\n".write(to: standIn, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: standIn.path)
        let token = "abcdefghijklmnopqrstuvwxyz0123456789"
        let install = try await root.run([
            "/usr/share/faafo/install.sh", "-i", "faafo", "-r", "worker", "-e", "http://10.0.0.1:8080", "-m",
            "amqp://faafo:pass%2Fword@10.0.0.1:5672/", "-t", token,
        ])
        try FileManager.default.removeItem(at: standIn)
        try FileManager.default.removeItem(at: root.file("run/systemd"))
        #expect(install.status == 0 && install.output.contains("faafo-worker runs under systemd"), "\(install.output)")
        let asked = (try? String(contentsOf: root.file("tmp/systemctl.log"), encoding: .utf8)) ?? ""
        #expect(asked == "daemon-reload\nenable --now faafo-worker\n", "systemctl was asked: \(asked)")
        let dropIn = root.file("etc/systemd/system/faafo-worker.service.d/install.conf")
        let text = (try? String(contentsOf: dropIn, encoding: .utf8)) ?? ""
        #expect(
            text.contains(
                "\nExecStart=\nExecStart=/usr/bin/faafo-worker --config-file /etc/faafo/faafo.conf --transport-url "
                    + "amqp://faafo:pass%%2Fword@10.0.0.1:5672/ --endpoint-url http://10.0.0.1:8080\n"), "\(text)")
        #expect(!text.contains("User="), "the package's unit says who runs it")
        let analyze = try await root.run(["systemd-analyze", "verify", "faafo-worker.service"])
        #expect(analyze.status == 0 && !analyze.output.contains("faafo"), "with the drop-in: \(analyze.output)")
        let conf = try String(contentsOf: root.file("etc/faafo/faafo.conf"), encoding: .utf8)
        #expect(conf.contains("worker_token = \(token)"), "\(conf)")
        return dropIn
    }

    // MARK: - The package

    /// FAAFO_TEST_PACKAGE, or the package scripts/package makes from this build's folder
    /// into `folder`.
    static func package(into folder: URL) async throws -> URL {
        if let given = ProcessInfo.processInfo.environment["FAAFO_TEST_PACKAGE"], !given.isEmpty {
            let url = URL(fileURLWithPath: given)
            guard FileManager.default.fileExists(atPath: url.path) else { throw ClusterError("FAAFO_TEST_PACKAGE: no \(given)") }
            print("debian package under test: \(url.lastPathComponent), \(megabytes(url)) (FAAFO_TEST_PACKAGE)")
            return url
        }
        let build = try LocalCluster.executablesFolder(containing: ["faafo", "faafo-api", "faafo-worker", "faafo-sim"])
        let out = folder.appending(path: "package")
        let (status, output) = try await runCommand(
            scripts.appending(path: "package"), ["--from", build.path, "--out", out.path], timeout: .seconds(300))
        guard status == 0, let path = output.split(separator: "\n").last(where: { $0.hasSuffix(".deb") }) else {
            throw ClusterError("scripts/package --from \(build.path) failed (status \(status)):\n\(output.suffix(3000))")
        }
        for line in output.split(separator: "\n") where line.hasPrefix("package: faafo_") { print("debian \(line)") }
        return URL(fileURLWithPath: String(path))
    }

    // MARK: - Start-up times

    /// Each executable's start-up, median of 5 (`faafo render` of a 2 × 2 image, the others'
    /// `--help`): the packaged build in the root against the build folder it was made from.
    static func printStartupTimes(_ root: DebianRoot) async throws {
        let build = try LocalCluster.executablesFolder(containing: ["faafo", "faafo-api", "faafo-worker", "faafo-sim"])
        let script = #"""
            bin=$1; out=$2
            t() { s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 100000 )); }
            for name in faafo faafo-api faafo-worker faafo-sim; do
                printf '%s' "$name"
                for _ in 1 2 3 4 5; do
                    if [ "$name" = faafo ]; then
                        printf ' %s' "$(t "$bin/faafo" render --width 2 --height 2 --iterations 10 \
                            --xa -1 --xb 1 --ya -1 --yb 1 --seed 1 --output "$out")"
                    else
                        printf ' %s' "$(t "$bin/$name" --help)"
                    fi
                done
                echo
            done
            """#
        let packaged = try await root.run(["/bin/sh", "-c", script, "sh", "/usr/bin", "/tmp/startup.png"])
        let scratch = FileManager.default.temporaryDirectory.appending(path: "faafo-startup-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let local = try await runCommand(URL(fileURLWithPath: "/bin/sh"), ["-c", script, "sh", build.path, scratch.path])
        func medians(_ output: String) -> [String: Double] {
            var result: [String: Double] = [:]
            for line in output.split(separator: "\n") {
                let words = line.split(separator: " ")
                let times = words.dropFirst().compactMap { Double($0) }.sorted()
                if let name = words.first, times.count == 5 { result[String(name)] = times[2] / 10 }
            }
            return result
        }
        let (inRoot, inBuild) = (medians(packaged.output), medians(local.output))
        #expect(inRoot.count == 4, "\(packaged.output)")
        let table = ["faafo", "faafo-api", "faafo-worker", "faafo-sim"].map { name in
            "\(name) " + String(format: "%.1f ms (build folder %.1f ms)", inRoot[name] ?? .nan, inBuild[name] ?? .nan)
        }
        print(
            "debian package: start-up, median of 5 (faafo render 2x2, the others --help), packaged: "
                + table.joined(separator: ", "))
    }

    // MARK: - Helpers

    static func seconds(_ duration: Duration) -> String { String(format: "%.1f s", duration / .seconds(1)) }

    static func megabytes(_ file: URL) -> String {
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        return String(format: "%.1f MB", Double(size) / 1e6)
    }
}

/// A fresh Debian 12 root made by scripts/fresh-debian in a folder of the test's, removed
/// by `remove()`, also when the run is interrupted.
struct DebianRoot: Sendable {
    let path: URL
    static let script = DebianPackageTests.scripts.appending(path: "fresh-debian")
    /// Where the checkout's install.sh is copied in the root, as a host that fetched it.
    static let installer = "/tmp/faafo-install/install.sh"
    /// A clean environment for the commands run in the root.
    static let environment = [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8",
        "DEBIAN_FRONTEND=noninteractive",
    ]

    init(in folder: URL) { path = folder.appending(path: "root") }

    func file(_ relative: String) -> URL { path.appending(path: relative) }

    /// Makes the root (from the cached debootstrap, with apt's lists fetched); what
    /// scripts/fresh-debian said of it.
    @discardableResult
    func make() async throws -> String {
        let (status, output) = try await runCommand(Self.script, [path.path], timeout: .seconds(600))
        guard status == 0 else { throw ClusterError("scripts/fresh-debian \(path.path) failed:\n\(output.suffix(3000))") }
        let said = output.split(separator: "\n").last { $0.hasPrefix("fresh-debian: ") } ?? Substring(output)
        return said.components(separatedBy: "\(path.path): ").last ?? String(said)
    }

    /// Makes the cached debootstrap unless it is there (scripts/fresh-debian --cache): its
    /// path, and whether this call made it.
    static func cache() async throws -> (path: String, made: Bool) {
        let (status, output) = try await runCommand(script, ["--cache"], timeout: .seconds(600))
        guard status == 0, let path = output.split(separator: "\n").last(where: { $0.hasPrefix("/") }) else {
            throw ClusterError("scripts/fresh-debian --cache failed:\n\(output.suffix(3000))")
        }
        return (String(path), output.contains("fresh-debian: made "))
    }

    /// The command line that runs `arguments` chrooted in the root (for a test host).
    func invocation(_ arguments: [String]) -> [String] {
        [Self.script.path, "--run", path.path] + arguments
    }

    /// Runs `arguments` chrooted in the root, in the machine's own network namespace.
    func run(_ arguments: [String], timeout: Duration = .seconds(180)) async throws -> (status: Int32, output: String) {
        try await runCommand(
            URL(fileURLWithPath: "/usr/bin/env"), ["-i"] + Self.environment + invocation(arguments), timeout: timeout)
    }

    /// Copies the checkout's install.sh, with what it runs, into the root.
    func copyInstaller() throws {
        let target = file("tmp/faafo-install")
        try FileManager.default.createDirectory(at: target.appending(path: "lib"), withIntermediateDirectories: true)
        for name in ["install.sh", "start-rabbitmq", "lib/daemon.sh"] {
            try FileManager.default.copyItem(
                at: DebianPackageTests.scripts.appending(path: name), to: target.appending(path: name))
        }
    }

    /// Waits (at most 60 s) until the log file at `relative` holds `text`.
    func waitForLog(_ relative: String, _ text: String, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let log = try? String(contentsOf: file(relative), encoding: .utf8), log.contains(text) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let log = (try? String(contentsOf: file(relative), encoding: .utf8)) ?? "(no log)"
        throw ClusterError("/\(relative) did not say '\(text)' within \(timeout):\n\(log.suffix(3000))")
    }

    /// The pid install.sh kept for a service started in the background.
    func pid(_ service: String) throws -> Int32 {
        let text = try String(contentsOf: file("run/faafo/\(service).pid"), encoding: .utf8)
        return try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), "\(service).pid: \(text)")
    }

    /// dpkg's status of faafo ("" when dpkg knows no such package).
    func packageStatus() async throws -> String {
        let (status, output) = try await run(["dpkg-query", "-W", "-f=${Status}", "faafo"])
        return status == 0 ? output.trimmingCharacters(in: .whitespacesAndNewlines) : ""
    }

    struct User: CustomStringConvertible {
        let uid: UInt32
        let gid: UInt32
        let home: String
        let shell: String
        var description: String { "uid \(uid), gid \(gid), home \(home), shell \(shell)" }
    }

    /// The faafo user of the root's /etc/passwd.
    func faafoUser() throws -> User {
        let passwd = try String(contentsOf: file("etc/passwd"), encoding: .utf8)
        let line = try #require(passwd.split(separator: "\n").first { $0.hasPrefix("faafo:") }, "no user faafo in the root")
        let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        return User(uid: UInt32(fields[2]) ?? 0, gid: UInt32(fields[3]) ?? 0, home: fields[5], shell: fields[6])
    }

    /// Removes the root (never crossing into a mounted file system).
    func remove() async {
        _ = try? await runCommand(Self.script, ["--remove", path.path], timeout: .seconds(120))
    }
}

/// Runs `body` with a folder of its own in the temporary folder, removed afterwards (with
/// scripts/fresh-debian --remove, which never crosses a mount), also when the run is
/// interrupted; first removes what runs that were killed left.
func withScratchFolder(_ body: (URL) async throws -> Void) async throws {
    let temporary = FileManager.default.temporaryDirectory
    let prefix = "faafo-debian-"
    for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] where name.hasPrefix(prefix) {
        if let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH
        {
            removeFolder(temporary.appending(path: name))
        }
    }
    let folder = temporary.appending(path: "\(prefix)\(getpid())-\(UUID().uuidString.prefix(8).lowercased())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let cleanup = ServiceProcess.onInterrupt { removeFolder(folder) }
    ServiceProcess.stopAllOnInterrupt()
    let outcome = await Result(catching: { try await body(folder) })
    removeFolder(folder)
    ServiceProcess.cancelInterruptCleanup(cleanup)
    #expect(!FileManager.default.fileExists(atPath: folder.path), "\(folder.path) was left behind")
    try outcome.get()
}

/// scripts/fresh-debian --remove FOLDER, blocking (an interrupt cannot wait asynchronously).
private func removeFolder(_ folder: URL) {
    let process = Process()
    process.executableURL = DebianRoot.script
    process.arguments = ["--remove", folder.path]
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return }
    process.waitUntilExit()
}

/// The real user id of process `pid`.
func processUID(_ pid: Int32) throws -> UInt32 {
    let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Uid:") }, "\(status)")
    return try #require(line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.flatMap { UInt32($0) })
}

/// Whether process `pid` is still there (not a zombie either), after at most 10 s.
func isRunning(_ pid: Int32) -> Bool {
    for _ in 0..<100 {
        let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
        if state == nil || state == "Z" { return false }
        usleep(100_000)
    }
    return true
}

/// packaging/cloud-init's user-data, one file a role: YAML as cloud-init reads it (PyYAML,
/// which cloud-init parses with), that fetches the package, installs it with apt-get and
/// runs the package's install.sh with the role's options; every placeholder is explained
/// in the file's header. (cloud-init's own `cloud-init schema` is not run here: it needs
/// cloud-init installed; docs/running.md says how.)
@Suite struct CloudInitFileTests {
    static let folder = DebianPackageTests.scripts.deletingLastPathComponent().appending(path: "packaging/cloud-init")

    @Test(.needs(.pyYAML))
    func eachRoleFetchesThePackageAndRunsInstallShWithItsOptions() async throws {
        let roles = [
            "controller": ["-i faafo", "-i messaging", "-r api", "-e ", "-t "],
            "worker": ["-i faafo", "-r worker", "-e ", "-m ", "-t "],
        ]
        for (role, options) in roles.sorted(by: { $0.key < $1.key }) {
            let file = Self.folder.appending(path: "\(role).yaml")
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.hasPrefix("#cloud-config\n"), "cloud-init takes a file as cloud-config by its first line")
            let (status, output) = try await runCommand(
                URL(fileURLWithPath: "/usr/bin/python3"),
                ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", file.path])
            #expect(status == 0, "\(role).yaml: \(output)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
            let commands = try #require(document["runcmd"] as? [String], "\(role).yaml: runcmd is a list of command lines")
            #expect(document["package_update"] as? Bool == true && (document["packages"] as? [String])?.contains("curl") == true)
            #expect(commands.count == 3, "\(commands)")
            #expect(
                commands.first?.hasPrefix("curl ") == true && commands.first?.contains("%PACKAGE_URL%") == true, "\(commands)")
            #expect(commands.dropFirst().first?.contains("apt-get install -y") == true, "\(commands)")
            let install = try #require(commands.last)
            #expect(install.hasPrefix("/usr/share/faafo/install.sh "), "\(install)")
            for option in options { #expect(install.contains(" \(option)"), "\(role): \(install) lacks \(option)") }
            let header = text.split(separator: "\n").filter { $0.hasPrefix("#") }.joined(separator: "\n")
            for placeholder in Set(text.matches(of: /%[A-Z_]+%/).map { String($0.output) }) {
                #expect(header.contains(placeholder), "\(role).yaml's header explains \(placeholder)")
            }
        }
    }
}
