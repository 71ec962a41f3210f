import Crypto
import FaafoProbes
import FaafoWire
import Foundation
import FractalJob
import FractalPNG
import FractalStore

extension FractalService {
    /// The most a result's `generated_by` may hold.
    static let maximumWorkerNameLength = 255

    /// Accepts a worker's result: the image must be a PNG of the fractal's size whose
    /// SHA-256 and length are the ones claimed. The same result twice changes nothing; a
    /// different checksum for a completed fractal is refused and logged as a determinism
    /// violation.
    public func submitResult(_ uuid: String, _ upload: ResultUpload) async throws -> FractalObject {
        try await timed(metrics.resultDuration) { try await submitResultTimed(uuid, upload) }
    }

    private func submitResultTimed(_ uuid: String, _ upload: ResultUpload) async throws -> FractalObject {
        let uuid = try Self.requireUUID(uuid)
        guard let record = try await fetch(uuid) else {
            Probe.hit(.controllerResultForMissing)
            throw FractalServiceError(.notFound, "no fractal \(uuid)")
        }
        let image: Data
        do {
            image = try Self.checkedImage(upload, for: record)
        } catch let error as FractalServiceError {
            metrics.resultsRefused.increment()
            Probe.hit(error.code == .corrupt ? .controllerResultCorrupt : .controllerResultInvalid)
            throw error
        }
        let result = FractalResult(
            duration: upload.duration, size: upload.size, checksum: upload.checksum.lowercased(),
            pixelChecksum: upload.pixelChecksum?.lowercased(), generatedBy: upload.generatedBy,
            completedAt: environment.now())
        let outcome: CompleteOutcome
        do {
            outcome = try await store.complete(uuid, with: result, image: image)
        } catch {
            Probe.hit(.controllerStoreUnavailable)
            throw FractalServiceError(.unavailable, "cannot store the result of \(uuid): \(error)")
        }
        switch outcome {
        case .completed(let stored):
            Probe.hit(record.status == .failed ? .controllerResultAfterFailure : .controllerResultCompleted)
            metrics.completed.increment()
            logger.info("fractal \(uuid) completed by \(upload.generatedBy) in \(String(format: "%.6f", upload.duration)) seconds")
            return FractalObject(stored)
        case .duplicate(let stored):
            Probe.hit(.controllerResultDuplicate)
            logger.info("fractal \(uuid): identical result again from \(upload.generatedBy), nothing changed")
            return FractalObject(stored)
        case .conflict(let stored):
            Probe.hit(.controllerResultConflict)
            metrics.determinismViolations.increment()
            logger.error(
                "determinism violation: fractal \(uuid) has checksum \(stored.checksum ?? "?") from \(stored.generatedBy ?? "?"), \(upload.generatedBy) reported \(result.checksum)"
            )
            throw FractalServiceError(
                .conflict,
                "fractal \(uuid) is completed with checksum \(stored.checksum ?? "?"); refusing \(result.checksum)")
        case .notFound:
            Probe.hit(.controllerResultForMissing)
            throw FractalServiceError(.notFound, "no fractal \(uuid)")
        }
    }

    /// The most a failure's reason may hold.
    static let maximumFailureLength = 2000

    /// Records that a worker gave a fractal up, and why. A pending fractal becomes failed;
    /// a failed one keeps its first failure; a completed one is refused (409): its result
    /// stands.
    public func reportFailure(_ uuid: String, _ failure: TaskFailure) async throws -> FractalObject {
        let uuid = try Self.requireUUID(uuid)
        func invalid(_ message: String) -> FractalServiceError { FractalServiceError(.invalid, message) }
        guard !failure.generatedBy.isEmpty, failure.generatedBy.count <= Self.maximumWorkerNameLength else {
            throw invalid("generated_by must be 1 to \(Self.maximumWorkerNameLength) characters")
        }
        let reason = failure.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= Self.maximumFailureLength else {
            throw invalid("reason must be 1 to \(Self.maximumFailureLength) characters")
        }
        let outcome: FailOutcome
        do {
            outcome = try await store.fail(uuid, reason: reason, by: failure.generatedBy, at: environment.now())
        } catch {
            Probe.hit(.controllerStoreUnavailable)
            throw FractalServiceError(.unavailable, "cannot store the failure of \(uuid): \(error)")
        }
        switch outcome {
        case .markedFailed(let stored):
            Probe.hit(.controllerFailureRecorded)
            metrics.failed.increment()
            logger.error("fractal \(uuid) failed on \(failure.generatedBy): \(reason)")
            return FractalObject(stored)
        case .alreadyFailed(let stored):
            Probe.hit(.controllerFailureRepeated)
            return FractalObject(stored)
        case .alreadyCompleted:
            Probe.hit(.controllerFailureAfterResult)
            throw FractalServiceError(.conflict, "fractal \(uuid) is completed; its result stands")
        case .notFound:
            Probe.hit(.controllerFailureForMissing)
            throw FractalServiceError(.notFound, "no fractal \(uuid)")
        }
    }

    /// Decodes and checks a result's image against what it claims and what was asked.
    /// A malformed field or an image of another size is `.invalid` (400): sending it again
    /// cannot help. An image whose bytes contradict its own size, SHA-256 or pixel
    /// checksum, or that libpng cannot decode whole (a CRC, the compressed stream), is
    /// `.corrupt` (422): its bytes changed on the worker's host or on the way, and a new
    /// render can pass. The pixels are decoded one row at a time, so that the stored
    /// `pixel_checksum` is always the SHA-256 of the pixels the stored image shows.
    package static func checkedImage(_ upload: ResultUpload, for record: FractalRecord) throws -> Data {
        func invalid(_ message: String) -> FractalServiceError { FractalServiceError(.invalid, message) }
        func corrupt(_ message: String) -> FractalServiceError { FractalServiceError(.corrupt, message) }
        guard upload.duration.isFinite, upload.duration >= 0 else {
            throw invalid("duration must be a finite number of seconds, 0 or more")
        }
        guard !upload.generatedBy.isEmpty, upload.generatedBy.count <= maximumWorkerNameLength else {
            throw invalid("generated_by must be 1 to \(maximumWorkerNameLength) characters")
        }
        guard isSHA256Hex(upload.checksum) else { throw invalid("checksum must be 64 hexadecimal digits") }
        if let pixel = upload.pixelChecksum, !isSHA256Hex(pixel) {
            throw invalid("pixel_checksum must be 64 hexadecimal digits")
        }
        guard let image = Data(base64Encoded: upload.image) else { throw invalid("image is not valid base64") }
        guard image.count == upload.size else {
            throw corrupt("size is \(upload.size) but the image has \(image.count) bytes")
        }
        let digest = SHA256.hash(data: image).hexString
        guard digest == upload.checksum.lowercased() else {
            throw corrupt("checksum \(upload.checksum) is not the image's SHA-256 (\(digest))")
        }
        guard PNGHeader.declaredSize(of: image) != nil else {
            throw corrupt("image is not a PNG file: it does not start with the PNG signature and IHDR")
        }
        var pixels = SHA256()
        do {
            try PNGRows.forEach(in: image, width: record.fractal.width, height: record.fractal.height) { row in
                pixels.update(bufferPointer: row)
            }
        } catch .size(let width, let height) {
            throw invalid("image is \(width)x\(height) pixels, the fractal is \(record.fractal.width)x\(record.fractal.height)")
        } catch .undecodable(let error) {
            throw corrupt("image cannot be decoded whole: \(error)")
        }
        if let claimed = upload.pixelChecksum {
            let decoded = pixels.finalize().hexString
            guard decoded == claimed.lowercased() else {
                throw corrupt("pixel_checksum \(claimed) is not the SHA-256 of the image's pixels (\(decoded))")
            }
        }
        return image
    }

    static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0 | 0x20) }
    }
}
