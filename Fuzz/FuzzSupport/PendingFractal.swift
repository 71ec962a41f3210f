import Foundation
import FractalCore
import FractalStore

/// A pending 2×2 fractal: the one the seed image of FuzzPNGCheck and FuzzResultBody is
/// for. That image is the render contract's first known answer (docs/render-contract.md: 71 bytes,
/// checksum 7aaf0d7c…), made by the project's own encoder: `faafo render --width 2
/// --height 2 --iterations 1 --xa -1 --xb 1 --ya -1 --yb 1 --seed 1`.
public let pendingFractal = FractalRecord(
    uuid: "154c7b41-108e-4696-a059-1bde9bf03d0a",
    fractal: FractalRequest(width: 2, height: 2, iterations: 1, xa: -1, xb: 1, ya: -1, yb: 1, cx: nil, cy: nil, seed: 1),
    createdAt: Date(timeIntervalSince1970: 0))
