import CXMaskKernels

/// Single-precision matrix multiply, row-major:
/// `C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C`, where `op(A)` is `A` or `Aᵀ`.
/// `lda`, `ldb`, `ldc` are row strides of the stored matrices. With `beta == 0`, `C` is not read.
///
/// Packed and cache-blocked (C target `CXMaskKernels`), with a SIMD micro-kernel picked at
/// run time or forced (``SIMDPath/active``), on up to `Parallelism.threadCount` threads (one when the
/// product is small).
public func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    sgemm(path: .active, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
          alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
}

/// ``sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` on a chosen SIMD
/// path (tests force each one), threaded like the public entry.
func sgemm(
    path: SIMDPath, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
    sgemm(path: path, m: m, n: n, k: k, alpha: alpha,
          a: GEMMOperandA(a, ld: lda, transposed: transposeA),
          b: GEMMOperandB(b, ld: ldb, transposed: transposeB),
          beta: beta, c: c, ldc: ldc, threads: Parallelism.threadCount)
}

/// `op(A)` of an SGEMM: a stored matrix, or one packed ahead by ``PackedMatrix``.
struct GEMMOperandA {
    var pointer: UnsafePointer<Float>?
    var ld: Int
    var transposed: Bool
    var packed: UnsafePointer<Float>?

    init(_ pointer: UnsafePointer<Float>, ld: Int, transposed: Bool) {
        self.pointer = pointer; self.ld = ld; self.transposed = transposed
    }

    /// `matrix` packed once; falls back to its stored form when it could not be packed.
    init(_ matrix: PackedMatrix) {
        pointer = matrix.source; ld = matrix.ld; transposed = matrix.transposed
        packed = matrix.storage.map { UnsafePointer($0) }
    }
}

/// `op(B)` of an SGEMM: a stored matrix, or the im2col matrix of one image (or its transpose),
/// read straight from the image while packing.
struct GEMMOperandB {
    var pointer: UnsafePointer<Float>
    var ld: Int
    var transposed: Bool
    var convolution: xm_conv_geometry?
    /// First column of `op(B)` (a thread's share of an image operand).
    var column0 = 0

    init(_ pointer: UnsafePointer<Float>, ld: Int, transposed: Bool) {
        self.pointer = pointer; self.ld = ld; self.transposed = transposed
    }

    /// `im2col(image)` (`K × P`), or its transpose (`P × K`) when `transposed`.
    init(image: UnsafePointer<Float>, _ g: ConvGeometry, transposed: Bool) {
        pointer = image; ld = 0; self.transposed = transposed
        convolution = g.cGeometry
    }
}

/// A matrix `op(A)` (`m × k`) packed once for the micro-kernels of `path`, to be multiplied by
/// many right-hand sides (a convolution's weights, by every image of a batch). `storage` is
/// nil when the matrix is too tall to pre-pack; it is then packed in each product as usual.
struct PackedMatrix {
    let source: UnsafePointer<Float>
    let ld: Int
    let transposed: Bool
    let storage: UnsafeMutablePointer<Float>?

    init(path: SIMDPath, m: Int, k: Int, a: UnsafePointer<Float>, ld: Int, transposed: Bool) {
        source = a; self.ld = ld; self.transposed = transposed
        let count = Int(xm_packed_a_floats(Int32(path.rawValue), m, k))
        if count > 0 {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.size, alignment: 64)
            let p = raw.bindMemory(to: Float.self, capacity: count)
            xm_pack_a(Int32(path.rawValue), transposed ? 1 : 0, m, k, a, ld, p)
            storage = p
        } else {
            storage = nil
        }
    }

    func deallocate() { storage.map { UnsafeMutableRawPointer($0).deallocate() } }
}

/// `C = alpha · op(A) · op(B) + beta · C` on up to `threads` threads. The product is cut into
/// blocks of rows or columns of `C` (``GEMMSplit``), which the threads take dynamically, each
/// with its own workspace. Every element of `C` is summed the same way whatever the cut (the
/// k blocking depends on k alone), so the result does not depend on the thread count.
func sgemm(path: SIMDPath, m: Int, n: Int, k: Int, alpha: Float, a: GEMMOperandA, b: GEMMOperandB,
           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
    precondition(path.isSupported, "sgemm: this CPU cannot run the \(path) path")
    if m == 0 || n == 0 { return }
    // A packed operand, or an image operand, can only be cut by columns.
    let split = GEMMSplit(path: path, m: m, n: n, k: k, threads: threads, rowsAllowed: a.packed == nil)
    if split.chunks == 1 {
        var workspace = GEMMWorkspace()
        workspace.sgemm(path: path, m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c, ldc: ldc)
        workspace.deallocate()
        return
    }
    Parallelism.$threadCount.withValue(max(1, threads)) {
        let count = Parallelism.workers(split.chunks)
        let spaces = UnsafeMutablePointer<GEMMWorkspace>.allocate(capacity: count)
        spaces.initialize(repeating: GEMMWorkspace(), count: count)
        defer {
            for w in 0..<count { spaces[w].deallocate() }
            spaces.deinitialize(count: count)
            spaces.deallocate()
        }
        // Worker w only ever touches spaces[w]; the chunks write disjoint blocks of C.
        nonisolated(unsafe) let scratch = spaces
        Parallelism.forEachWithWorker(split.chunks) { w, chunk in
            let (rows, columns) = split.range(chunk)
            if rows.isEmpty || columns.isEmpty { return }
            var aChunk = a, bChunk = b
            if let p = a.pointer, rows.lowerBound > 0 {
                aChunk.pointer = a.transposed ? p + rows.lowerBound : p + rows.lowerBound * a.ld
            }
            if columns.lowerBound > 0 {
                if b.convolution != nil {
                    bChunk.column0 += columns.lowerBound
                } else {
                    bChunk.pointer = b.transposed ? b.pointer + columns.lowerBound * b.ld : b.pointer + columns.lowerBound
                }
            }
            scratch[w].sgemm(path: path, m: rows.count, n: columns.count, k: k, alpha: alpha, a: aChunk, b: bChunk,
                             beta: beta, c: c + rows.lowerBound * ldc + columns.lowerBound, ldc: ldc)
        }
    }
}

/// How a product is cut between threads: into `chunks` blocks of rows (when `alongRows`)
/// or of columns, each a whole number of micro-tiles wide where possible.
struct GEMMSplit {
    var chunks: Int
    var alongRows: Bool
    var m: Int, n: Int
    var quantum: Int

    /// Below this many multiply-adds per block, cutting further costs more than it saves.
    static let minimumWorkPerChunk = 1 << 19
    /// Blocks per thread at most: taken dynamically, so a thread slowed down by another process
    /// leaves its share to the others.
    static let chunksPerThread = 4

    init(path: SIMDPath, m: Int, n: Int, k: Int, threads: Int, rowsAllowed: Bool = true) {
        self.m = m
        self.n = n
        let work = m * n * max(k, 1)
        let rowTiles = (m + path.microTileRows - 1) / path.microTileRows
        let columnTiles = (n + path.microTileColumns - 1) / path.microTileColumns
        alongRows = rowsAllowed && rowTiles >= columnTiles
        quantum = alongRows ? 1 : path.microTileColumns
        let tiles = alongRows ? rowTiles : columnTiles
        chunks = threads <= 1 ? 1 : max(1, min(threads * Self.chunksPerThread, tiles, work / Self.minimumWorkPerChunk))
    }

    /// The rows and columns of chunk `i`.
    func range(_ i: Int) -> (rows: Range<Int>, columns: Range<Int>) {
        let extent = alongRows ? m : n
        let units = (extent + quantum - 1) / quantum
        let lower = min(extent, (units * i / chunks) * quantum)
        let upper = min(extent, (units * (i + 1) / chunks) * quantum)
        return alongRows ? (lower..<upper, 0..<n) : (0..<m, lower..<upper)
    }
}

/// Packing space for single-threaded SGEMM calls, grown on demand and reused across calls
/// (one per thread; conv workers keep one for all their images).
struct GEMMWorkspace {
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0 // floats

    /// A 64-byte aligned buffer of at least `count` floats, valid until the next call.
    mutating func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        if let storage, count <= capacity { return storage.assumingMemoryBound(to: Float.self) }
        storage?.deallocate()
        capacity = max(count, 16)
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Float>.size, alignment: 64)
        storage = fresh
        return fresh.bindMemory(to: Float.self, capacity: capacity)
    }

    mutating func deallocate() {
        storage?.deallocate()
        storage = nil
        capacity = 0
    }

    /// Single-threaded packed SGEMM on this workspace.
    mutating func sgemm(path: SIMDPath, m: Int, n: Int, k: Int, alpha: Float, a: GEMMOperandA, b: GEMMOperandB,
                        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let p = Int32(path.rawValue)
        let space = floats(Int(xm_sgemm_workspace_floats(p, m, n, k)))
        if var g = b.convolution {
            xm_sgemm_ex(p, a.transposed ? 1 : 0, b.transposed ? 1 : 0, m, n, k, alpha, a.pointer, a.ld, a.packed,
                        nil, 0, b.pointer, &g, b.column0, beta, c, ldc, space)
        } else {
            xm_sgemm_ex(p, a.transposed ? 1 : 0, b.transposed ? 1 : 0, m, n, k, alpha, a.pointer, a.ld, a.packed,
                        b.pointer, b.ld, nil, nil, 0, beta, c, ldc, space)
        }
    }
}

/// The naive triple loop that ``sgemm`` is tested against.
public func sgemmReference(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    for i in 0..<m {
        for j in 0..<n {
            var s: Float = 0
            for p in 0..<k {
                let av = transposeA ? a[p * lda + i] : a[i * lda + p]
                let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                s += av * bv
            }
            c[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j])
        }
    }
}
