import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How many bytes the file system holding a path has free for this process. Adaptation,
/// pretraining and studies ask it before training, with an estimate of what they will write,
/// so a full disk fails at once instead of after the work. Tests pass their own to simulate a
/// full disk.
public protocol FreeSpaceQuery: Sendable {
    /// Bytes available to an unprivileged writer on the file system of `url` (an existing path).
    func availableBytes(at url: URL) throws -> Int64
}

/// The real query: `statvfs(2)`, `f_bavail × f_frsize`.
public struct SystemFreeSpace: FreeSpaceQuery {
    public init() {}

    public func availableBytes(at url: URL) throws -> Int64 {
        var info = statvfs()
        guard statvfs(url.path, &info) == 0 else {
            throw ExperimentError.notABundle(path: url.path, reason: "cannot query the free space: \(String(cString: strerror(errno)))")
        }
        let (bytes, overflow) = Int64(clamping: info.f_bavail).multipliedReportingOverflow(by: Int64(clamping: info.f_frsize))
        return overflow ? .max : bytes
    }
}

/// A fixed answer, whatever the path (tests: a full disk).
public struct FixedFreeSpace: FreeSpaceQuery {
    public var bytes: Int64
    public init(bytes: Int64) { self.bytes = bytes }
    public func availableBytes(at url: URL) throws -> Int64 { bytes }
}

public enum FreeSpace {
    /// Slack added to every estimate: manifests, reports, file-system overhead.
    public static let slackBytes: Int64 = 1 << 20

    /// Refuses to start when the file system of `url` (or of its nearest existing ancestor,
    /// for an output directory not made yet) has fewer than `neededBytes` available.
    ///
    /// - Parameter what: what will be written, for the message (`"the task file and manifest"`).
    public static func check(_ url: URL, neededBytes: Int64, for what: String, query: any FreeSpaceQuery) throws {
        var existing = url.standardizedFileURL
        while !FileManager.default.fileExists(atPath: existing.path) && existing.path != "/" {
            existing = existing.deletingLastPathComponent()
        }
        let available = try query.availableBytes(at: existing)
        if available < neededBytes {
            throw ExperimentError.insufficientSpace(path: url.path, neededBytes: neededBytes, availableBytes: available, what: what)
        }
    }

    /// Bytes of `count` F32 values (saturating).
    static func float32Bytes(_ count: Int) -> Int64 {
        let (bytes, overflow) = Int64(count).multipliedReportingOverflow(by: 4)
        return overflow ? .max : bytes
    }

    /// `a + b`, saturating.
    static func sum(_ terms: Int64...) -> Int64 {
        terms.reduce(0) { total, x in
            let (s, overflow) = total.addingReportingOverflow(x)
            return overflow ? .max : s
        }
    }

    /// `a × k`, saturating.
    static func times(_ a: Int64, _ k: Int) -> Int64 {
        let (p, overflow) = a.multipliedReportingOverflow(by: Int64(k))
        return overflow ? .max : p
    }
}
