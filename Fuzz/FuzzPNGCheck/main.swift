import Crypto
import FaafoController
import FaafoWire
import FractalJob
import FractalPNG
import Foundation
import FuzzSupport

/// Any bytes, their chunks' CRCs made right, as the image of a result whose size and
/// checksum are right, so that every input reaches the service's PNG check (libpng
/// reading the header and the chunks before the first IDAT, through CPNGWriter). An image
/// that passes must be a PNG of the fractal's size.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let image = PNGChunks.withCorrectCRCs(fuzzInput(bytes, size))
    let upload = ResultUpload(
        duration: 0.5, checksum: SHA256.hash(data: image).hexString,
        size: image.count, image: image.base64EncodedString(), generatedBy: "fuzz", pixelChecksum: nil)
    guard (try? FractalService.checkedImage(upload, for: pendingFractal)) != nil else { return 0 }
    let header = try? PNGHeader(reading: image)
    precondition(header?.width == 2 && header?.height == 2, "an image of the wrong size passed the check")
    return 0
}

runFuzzer(fuzz)
