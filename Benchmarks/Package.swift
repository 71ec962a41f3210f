// swift-tools-version: 6.2
// Benchmarks for faafo's render core, with ordo-one's package-benchmark.
// A package of its own so that the root package doesn't depend on the benchmark tooling.
// Run from this folder: swift package --allow-writing-to-package-directory benchmark
import PackageDescription

let package = Package(
    name: "faafo-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "faafo", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "RenderBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "FractalCore", package: "faafo"),
                .product(name: "FractalPNG", package: "faafo"),
                .product(name: "FractalJob", package: "faafo"),
            ],
            path: "Benchmarks/RenderBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ProbeBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "FaafoProbes", package: "faafo"),
            ],
            path: "Benchmarks/ProbeBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
