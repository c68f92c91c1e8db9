#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file could not be opened, read, written, synced or renamed.
///
/// The message names the file, the operation and the reason (the C library's text for
/// `errno` where there is one).
public struct FileSystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was being done when it failed.
    public enum Operation: String, Sendable {
        case open, read, write, sync, rename, remove, stat
    }

    /// The file (or directory) concerned.
    public var path: String
    public var operation: Operation
    /// `errno` where the failure came from the C library, else `nil`.
    public var code: Int32?
    /// Human-readable reason.
    public var reason: String

    public init(path: String, operation: Operation, code: Int32? = nil, reason: String) {
        self.path = path
        self.operation = operation
        self.code = code
        self.reason = reason
    }

    /// An error for `operation` on `path` from the current `errno`.
    static func posix(_ operation: Operation, path: String, code: Int32 = errno) -> FileSystemError {
        let text = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
        return FileSystemError(path: path, operation: operation, code: code, reason: text)
    }

    public var description: String { "\(path): cannot \(operation.rawValue): \(reason)" }
}
