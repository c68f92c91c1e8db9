import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A safetensors file read with `pread(2)`: the header first (checked as
/// ``SafetensorsHeader/parse(_:file:)`` checks a whole file), then each entry straight into the
/// buffer that keeps it. Nothing is mapped and no intermediate copy is made, so reading a file
/// holds one copy of its data (an `F32` entry is read into its `[Float]` directly; other dtypes
/// are converted through a scratch buffer of at most ``chunkBytes``).
final class SafetensorsFileReader {
    let path: String
    let header: SafetensorsHeader
    private let fd: Int32

    /// The most bytes converted at a time for a dtype other than little-endian `F32`.
    static let chunkBytes = 1 << 20

    init(_ url: URL) throws(SafetensorsError) {
        path = url.path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .fileSystem(.posix(.open, path: path)) }
        do throws(SafetensorsError) {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw .fileSystem(.posix(.stat, path: path)) }
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                throw .fileSystem(FileSystemError(path: path, operation: .read, reason: "not a regular file"))
            }
            let size = Int(info.st_size)
            let lengthField = UnsafeMutableRawBufferPointer.allocate(byteCount: 8, alignment: 8)
            defer { lengthField.deallocate() }
            let got = try Self.read(fd, into: lengthField, at: 0, path: path, allowShort: true)
            let headerEnd = try SafetensorsHeader.headerEnd(
                lengthField: UnsafeRawBufferPointer(rebasing: lengthField[0..<got]), fileSize: size, file: path)
            let json = UnsafeMutableRawBufferPointer.allocate(byteCount: headerEnd - 8, alignment: 8)
            defer { json.deallocate() }
            _ = try Self.read(fd, into: json, at: 8, path: path, allowShort: false)
            header = try SafetensorsHeader.parse(json: UnsafeRawBufferPointer(json), fileSize: size, file: path)
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// The raw bytes of `item` into `out` (`out.count` = the item's byte count).
    func read(_ item: SafetensorsHeader.Item, into out: UnsafeMutableRawBufferPointer) throws(SafetensorsError) {
        precondition(out.count == item.range.count, "SafetensorsFileReader.read: buffer of \(out.count) bytes for \(item.range.count)")
        _ = try Self.read(fd, into: out, at: header.dataStart + item.range.lowerBound, path: path, allowShort: false)
    }

    /// The elements of `item` converted to `Float` into `out` (`out.count` = its element count).
    func readFloats(_ item: SafetensorsHeader.Item, into out: UnsafeMutableBufferPointer<Float>) throws(SafetensorsError) {
        let size = item.dtype.byteSize
        precondition(out.count * size == item.range.count, "SafetensorsFileReader.readFloats: \(out.count) floats for \(item.range.count) bytes")
        let offset = header.dataStart + item.range.lowerBound
        if item.dtype == .float32, 1.littleEndian == 1 {
            _ = try Self.read(fd, into: UnsafeMutableRawBufferPointer(out), at: offset, path: path, allowShort: false)
            return
        }
        let perChunk = max(1, Self.chunkBytes / size)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: min(out.count, perChunk) * size, alignment: 16)
        defer { scratch.deallocate() }
        var done = 0
        while done < out.count {
            let n = min(perChunk, out.count - done)
            let chunk = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<(n * size)])
            _ = try Self.read(fd, into: chunk, at: offset + done * size, path: path, allowShort: false)
            item.dtype.decode(UnsafeRawBufferPointer(chunk), into: UnsafeMutableBufferPointer(rebasing: out[done..<(done + n)]))
            done += n
        }
    }

    /// `pread` until `out` is full (retrying `EINTR` and short reads); returns the bytes read.
    /// Reaching the end of the file first is an error (the file shrank since its size was
    /// taken) unless `allowShort`.
    private static func read(_ fd: Int32, into out: UnsafeMutableRawBufferPointer, at offset: Int, path: String,
                             allowShort: Bool) throws(SafetensorsError) -> Int {
        guard let base = out.baseAddress else { return 0 }
        var done = 0
        while done < out.count {
            let n = pread(fd, base + done, out.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .fileSystem(.posix(.read, path: path))
            }
            if n == 0 {
                if allowShort { return done }
                throw .truncated(file: path, byteCount: offset + done)
            }
            done += n
        }
        return done
    }
}
