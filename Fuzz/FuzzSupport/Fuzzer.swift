import CLibFuzzer
import Foundation

/// The signature of a fuzz target's `LLVMFuzzerTestOneInput`.
public typealias FuzzTest = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Runs libFuzzer's driver with the process's arguments on `test`, which must be the
/// target's `@_cdecl("LLVMFuzzerTestOneInput")` function.
///
/// SwiftPM links an executable with `main` defined as its module's entry point, and
/// `-sanitize=fuzzer` links libFuzzer's own `main` too, which calls
/// `LLVMFuzzerTestOneInput`. A target's top-level code calls this, so that whichever
/// `main` the linker keeps runs libFuzzer on the same function.
public func runFuzzer(_ test: FuzzTest) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, test))
}

/// The input libFuzzer hands `LLVMFuzzerTestOneInput`, as `Data`.
public func fuzzInput(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> Data {
    bytes.map { Data(bytes: $0, count: size) } ?? Data()
}

/// Writes `data` to this process's one input file (in `TMPDIR`) and returns its path, for
/// decoders that read a file by name.
public func inputFile(_ data: Data, suffix: String) -> String {
    let path = FileManager.default.temporaryDirectory.appending(path: "faafo-fuzz-\(getpid())\(suffix)").path
    // Not FileManager.createFile, which writes a new file and renames it, for every input.
    do {
        try data.write(to: URL(fileURLWithPath: path))
    } catch {
        preconditionFailure("cannot write \(path): \(error)")
    }
    return path
}
