import CXMaskKernels

/// What the kernels run on this CPU.
public enum KernelInfo {
    /// The SIMD path the kernels use now ("avx512", "avx2" or "generic"): ``SIMDPath/active``.
    public static var simdPath: String { SIMDPath.active.description }

    /// Makes every kernel's public entry use `path` for the rest of the process (`nil`: the CPU's
    /// best again). Process-wide: only executables call it, once, at start (the CLI from the
    /// `XMASK_SIMD` environment variable, see ``forceSIMDPath(named:)``).
    public static func forceSIMDPath(_ path: SIMDPath?) throws(SIMDPathError) {
        if let path, !path.isSupported { throw .unsupported(path) }
        _ = xm_force_path(Int32(path?.rawValue ?? -1))
    }

    /// ``forceSIMDPath(_:)`` from a name: "avx512", "avx2", "generic", or "" / "auto" for the
    /// CPU's best. An unknown name or a path this CPU cannot run throws (nothing is changed).
    public static func forceSIMDPath(named name: String) throws(SIMDPathError) {
        let lowered = name.lowercased()
        if lowered.isEmpty || lowered == "auto" { return try forceSIMDPath(nil) }
        guard let path = SIMDPath(name: lowered) else { throw .unknown(name) }
        try forceSIMDPath(path)
    }

    /// Whether the active path was forced (``forceSIMDPath(_:)``) rather than chosen from the CPU.
    public static var isSIMDPathForced: Bool { xm_forced_path() >= 0 }
}

/// Why a SIMD path cannot be forced.
public enum SIMDPathError: Error, Equatable, CustomStringConvertible {
    case unknown(String)
    case unsupported(SIMDPath)

    public var description: String {
        let supported = SIMDPath.supported.map(\.description).joined(separator: ", ")
        switch self {
        case .unknown(let name):
            return "unknown SIMD path \"\(name)\"; expected one of avx512, avx2, generic, auto (this CPU: \(supported))"
        case .unsupported(let path):
            return "this CPU cannot run the \(path) path (it supports: \(supported))"
        }
    }
}

/// An instruction-set path of the kernels (C target `CXMaskKernels`), chosen at run time from
/// what the CPU reports, or forced (``KernelInfo/forceSIMDPath(_:)``); tests run each supported one.
public enum SIMDPath: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// AVX-512F + FMA, micro-tiles of up to 14 × 32.
    case avx512 = 0
    /// AVX2 + FMA, micro-tiles of up to 6 × 16.
    case avx2 = 1
    /// Portable C in 4-float vectors (SSE2 on x86-64, NEON on arm64), micro-tiles of up to 4 × 8; any CPU.
    case generic = 2

    /// The fastest path this CPU supports.
    public static let best: SIMDPath = SIMDPath(rawValue: Int(xm_best_path())) ?? .generic

    /// The path the kernels' public entries use: the forced one, or else ``best``.
    public static var active: SIMDPath { SIMDPath(rawValue: Int(xm_active_path())) ?? .generic }

    /// Every path this CPU can run, best first.
    public static var supported: [SIMDPath] { allCases.filter(\.isSupported) }

    /// The path called `name` ("avx512", "avx2", "generic"; "sse2" is the generic path's old name).
    public init?(name: String) {
        switch name {
        case "avx512": self = .avx512
        case "avx2": self = .avx2
        case "generic", "sse2": self = .generic
        default: return nil
        }
    }

    /// Whether this CPU can run the path.
    public var isSupported: Bool { xm_path_supported(Int32(rawValue)) != 0 }

    /// "avx512", "avx2" or "generic".
    public var description: String { String(cString: xm_path_name(Int32(rawValue))) }

    /// Rows of the tallest micro-tile.
    var microTileRows: Int { Int(xm_sgemm_mr(Int32(rawValue))) }
    /// Columns of a micro-tile.
    var microTileColumns: Int { Int(xm_sgemm_nr(Int32(rawValue))) }
}

extension KernelInfo {
    /// Tunes the C allocator so that large freed buffers are reused without page faults
    /// (glibc `mallopt`: mmap and trim thresholds at 1 GiB). Process-wide: only executables
    /// call it, once, at start. Returns whether it was applied.
    @discardableResult
    public static func keepLargeAllocations() -> Bool { xm_keep_large_allocations() == 1 }
}
