import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// PNG files in one directory, one `<uuid>.png` a fractal, each written durably and
/// atomically: to a temporary file, flushed, renamed into place, then the directory flushed.
package final class ImageDirectory: Sendable {
    package let path: String
    /// Makes temporary names unique within the process (the pid makes them unique across).
    private let writes = Atomic<UInt64>(0)

    /// Opens the directory, creating it (and its parents) if missing.
    package init(path: String) throws {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StoreError("cannot create the image directory '\(path)': \(error.localizedDescription)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError("the image store '\(path)' is not a directory")
        }
    }

    /// The file of a fractal's image: `<uuid>.png`, or `=<hex of the uuid's UTF-8>.png` for a
    /// uuid with characters other than letters, digits, `-` and `_` (no uuid can name
    /// another file, or a path outside the directory).
    package func filePath(for uuid: String) -> String {
        let safe = !uuid.isEmpty && uuid.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F
        }
        let name = safe ? uuid : "=" + uuid.utf8.map { String(format: "%02x", $0) }.joined()
        return path + "/" + name + ".png"
    }

    /// Writes the image so that, once this returns, the file holds all of `png` and will
    /// after a crash too; before it returns, the file is either absent, the previous
    /// version or complete.
    package func write(_ png: Data, for uuid: String) throws {
        let target = filePath(for: uuid)
        let count = writes.add(1, ordering: .relaxed).newValue
        let temporary = path + "/.tmp-\(getpid())-\(count).png"
        do {
            try writeFlushed(png, to: temporary)
            guard rename(temporary, target) == 0 else {
                throw StoreError("cannot rename '\(temporary)' to '\(target)': \(Self.lastError())")
            }
            try flushDirectory()
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// The image, or nil if there is no file.
    package func read(_ uuid: String) throws -> Data? {
        let file = filePath(for: uuid)
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw StoreError("cannot open the image file '\(file)': \(Self.lastError())")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            throw StoreError("cannot read the image file '\(file)': \(error.localizedDescription)")
        }
    }

    /// Removes the image file if there is one. Returns the failure, if any, rather than
    /// throwing: the caller has committed the deletion already, and a file left behind is
    /// an orphan, like one a crash leaves.
    @discardableResult
    package func remove(_ uuid: String) -> StoreError? {
        let file = filePath(for: uuid)
        if unlink(file) == 0 || errno == ENOENT { return nil }
        return StoreError("cannot remove the image file '\(file)': \(Self.lastError())")
    }

    private func writeFlushed(_ data: Data, to file: String) throws {
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StoreError("cannot create the image file '\(file)': \(Self.lastError())")
        }
        defer { close(fd) }
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let written = posixWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw StoreError("cannot write the image file '\(file)': \(Self.lastError())")
                }
                offset += written
            }
        }
        guard fsync(fd) == 0 else {
            throw StoreError("cannot flush the image file '\(file)': \(Self.lastError())")
        }
    }

    /// Makes the rename itself durable.
    private func flushDirectory() throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StoreError("cannot open the image directory '\(path)': \(Self.lastError())")
        }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            throw StoreError("cannot flush the image directory '\(path)': \(Self.lastError())")
        }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}

/// write(2), named apart from `ImageDirectory.write(_:for:)`.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #elseif canImport(Musl)
    Musl.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}
