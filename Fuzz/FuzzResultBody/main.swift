import FaafoController
import FaafoWire
import Foundation
import FuzzSupport

/// The body of `PUT /v1/fractal/<uuid>`, as the API reads it: JSON into `ResultUpload`,
/// then the service's check of the result against a pending 2×2 fractal.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let upload = try? JSONDecoder().decode(ResultUpload.self, from: fuzzInput(bytes, size)) else { return 0 }
    _ = try? FractalService.checkedImage(upload, for: pendingFractal)
    return 0
}

runFuzzer(fuzz)
