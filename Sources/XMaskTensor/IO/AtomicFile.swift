import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe whole-file writes: every file xmask writes goes through here.
///
/// The bytes go to a new temporary file in the destination's directory (so the rename never
/// crosses file systems), are flushed with `fsync`, and the temporary file is renamed over the
/// destination; the directory is then synced so the rename itself survives a power loss.
/// `rename(2)` is atomic on POSIX file systems, so a reader sees the old file or the new one,
/// never a half-written one. On any failure the temporary file is removed and the destination
/// is left as it was.
public enum AtomicFile {
    /// Writes `data` to `url` atomically, replacing any file there.
    ///
    /// The new file gets mode `0666` less the process umask, like an ordinary `creat(2)`.
    public static func write(_ data: Data, to url: URL) throws(FileSystemError) {
        try write(data, to: url, beforeRename: { _ in })
    }

    /// ``write(_:to:)`` with a hook run after the temporary file is complete and synced, just
    /// before the rename (tests use it to simulate a crash at the worst moment).
    static func write(
        _ data: Data, to url: URL, beforeRename: (_ temporaryPath: String) throws(FileSystemError) -> Void
    ) throws(FileSystemError) {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        precondition(!name.isEmpty, "AtomicFile.write: URL \(url) has no file name")

        let (fd, temporary) = try createTemporaryFile(directory: directory, name: name)
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do throws(FileSystemError) {
            try writeAll(fd, data, path: temporary)
            if fsync(fd) != 0 { throw FileSystemError.posix(.sync, path: temporary) }
        } catch {
            close(fd)
            throw error
        }
        if close(fd) != 0 { throw FileSystemError.posix(.write, path: temporary) }
        try beforeRename(temporary)
        if rename(temporary, path) != 0 {
            let code = errno
            throw FileSystemError(path: path, operation: .rename, code: code,
                                  reason: "rename from \(temporary) failed: \(FileSystemError.posix(.rename, path: path, code: code).reason)")
        }
        renamed = true
        syncDirectory(directory)
    }

    /// Opens a fresh file `.NAME.RANDOM.tmp` beside the destination (exclusive create).
    private static func createTemporaryFile(directory: String, name: String) throws(FileSystemError) -> (Int32, String) {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<16 {
            let suffix = String(rng.next() & 0xFFFF_FFFF_FFFF, radix: 16)
            let temporary = (directory.isEmpty ? "." : directory) + "/." + name + "." + suffix + ".tmp"
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 { return (fd, temporary) }
            if errno != EEXIST { throw FileSystemError.posix(.open, path: temporary) }
        }
        throw FileSystemError(path: directory, operation: .open, reason: "could not create a unique temporary file for \(name)")
    }

    /// Writes every byte, retrying short writes and `EINTR`.
    private static func writeAll(_ fd: Int32, _ data: Data, path: String) throws(FileSystemError) {
        let failure: FileSystemError? = data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> FileSystemError? in
            guard var p = buffer.baseAddress else { return nil }
            var remaining = buffer.count
            while remaining > 0 {
                let n = systemWrite(fd, p, remaining)
                if n < 0 {
                    if errno == EINTR { continue }
                    return FileSystemError.posix(.write, path: path)
                }
                p += n
                remaining -= n
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// Best effort: makes the rename durable. Some file systems refuse `fsync` on a directory.
    private static func syncDirectory(_ directory: String) {
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}

/// `write(2)`, under a name that member lookup inside ``AtomicFile`` does not shadow.
@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
