// swift-tools-version: 6.2
import PackageDescription
import class Foundation.ProcessInfo

// The render kernel is compiled for the build host's CPU by default (like `-march=native`),
// so SIMD4<Double> maps to one AVX register where the machine has AVX. Set
// FAAFO_TARGET_CPU to a named CPU (e.g. `x86-64`, `haswell`) to build a binary for
// other machines, or to `none` to leave the compiler's default. The output is
// bit-identical either way: the contract forbids fused multiply-add and Swift never
// contracts floating-point operations on its own.
let targetCPU = ProcessInfo.processInfo.environment["FAAFO_TARGET_CPU"] ?? "native"
let kernelFlags: [SwiftSetting] =
    (targetCPU == "none" ? [] : [.unsafeFlags(["-target-cpu", targetCPU])])
    // The kernel is optimised in debug builds too, so that tests of real-size images stay fast.
    + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "faafo",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "faafo", targets: ["FaafoCLI"]),
        .library(name: "FractalCore", targets: ["FractalCore"]),
        .library(name: "FractalPNG", targets: ["FractalPNG"]),
        .library(name: "FractalJob", targets: ["FractalJob"]),
        .library(name: "GoldenFixtures", targets: ["GoldenFixtures"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // libpng, as Debian's libpng-dev installs it.
        .systemLibrary(
            name: "CLibPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        // A thin C layer that keeps libpng's setjmp/longjmp error handling out of Swift.
        .target(
            name: "CPNGWriter", dependencies: ["CLibPNG"],
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("z")]
        ),

        // The render contract: parameters, validation, c from a seed, the SIMD kernel
        // and the threaded row pipeline. No I/O.
        .target(name: "FractalCore", swiftSettings: kernelFlags),
        // PNG encoding at the contract's settings, rows streamed in.
        .target(name: "FractalPNG", dependencies: ["CPNGWriter"]),
        // One whole task: render, encode, both checksums.
        .target(
            name: "FractalJob",
            dependencies: [
                "FractalCore", "FractalPNG",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Golden checksum files (Fixtures/golden.json): their shape, the standard cases, checking.
        .target(name: "GoldenFixtures", dependencies: ["FractalCore", "FractalJob"]),
        .executableTarget(
            name: "FaafoCLI",
            dependencies: [
                "FractalCore", "FractalJob", "FractalPNG", "GoldenFixtures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "FractalCoreTests", dependencies: ["FractalCore"]),
        .testTarget(
            name: "FractalJobTests", dependencies: ["FractalCore", "FractalJob", "FractalPNG", "GoldenFixtures", "CLibPNG"]),
        .testTarget(
            name: "FaafoCLITests",
            dependencies: ["FaafoCLI", .product(name: "Crypto", package: "swift-crypto")]),
    ]
)
