/// Sizes and the thread split shared by the three fast convolution kernels.
struct ConvPlan {
    let shape: Conv2DShape
    let path: SIMDPath
    /// `Cin·H·W`, `Cout·outH·outW`.
    let inputSize: Int, outputSize: Int
    /// `P = outH·outW`, `K = Cin·kh·kw`.
    let pixels: Int, patch: Int
    /// A 1×1 convolution with stride 1 and no padding: the image is its own im2col.
    let isPointwise: Bool
    /// Threads the kernels may use (task-local, read once on the calling thread).
    let threads: Int
    /// How many contiguous image ranges the batch is cut into (1: not split). Fixed by the batch
    /// size and the thread count alone (the backward weight pass sums one partial per range, in
    /// range order), so results are bit-reproducible for a given thread count.
    let batchChunks: Int

    /// Ranges per thread when the batch is split: enough that a thread slowed down by another
    /// process leaves its share to the others (ranges are taken dynamically), few enough that the
    /// per-range partial sums of the weight gradient cost little.
    static let chunksPerThread = 4

    init(_ s: Conv2DShape, path: SIMDPath) {
        precondition(s.batch >= 0 && s.inChannels > 0 && s.outChannels > 0 && s.kernelHeight > 0
                     && s.kernelWidth > 0 && s.strideH > 0 && s.strideW > 0 && s.padH >= 0 && s.padW >= 0,
                     "conv2d: invalid shape \(s)")
        precondition(s.outHeight > 0 && s.outWidth > 0, "conv2d: kernel larger than padded input in \(s)")
        shape = s
        self.path = path
        inputSize = s.inChannels * s.height * s.width
        outputSize = s.outChannels * s.outHeight * s.outWidth
        pixels = s.outHeight * s.outWidth
        patch = s.inChannels * s.kernelHeight * s.kernelWidth
        isPointwise = s.kernelHeight == 1 && s.kernelWidth == 1 && s.strideH == 1 && s.strideW == 1
            && s.padH == 0 && s.padW == 0
        threads = max(1, Parallelism.threadCount)
        batchChunks = threads == 1 ? 1 : max(1, min(threads * Self.chunksPerThread, s.batch))
    }

    /// The images of chunk `i`.
    func images(ofChunk i: Int) -> Range<Int> {
        (shape.batch * i / batchChunks)..<(shape.batch * (i + 1) / batchChunks)
    }

    /// Calls `body(chunk, images, &worker)` once per chunk of the batch; when the batch is split,
    /// the chunks are taken dynamically by up to `threads` workers, each with a worker (workspace)
    /// of its own. When it is not split, the worker's GEMMs use all threads.
    func forEachImageRange(_ body: (Int, Range<Int>, inout ConvWorker) -> Void) {
        if batchChunks == 1 {
            var worker = ConvWorker(path: path, gemmThreads: threads)
            body(0, 0..<shape.batch, &worker)
            worker.deallocate()
            return
        }
        Parallelism.$threadCount.withValue(threads) {
            let count = Parallelism.workers(batchChunks)
            let workers = UnsafeMutablePointer<ConvWorker>.allocate(capacity: count)
            workers.initialize(repeating: ConvWorker(path: path, gemmThreads: 1), count: count)
            defer {
                for w in 0..<count { workers[w].deallocate() }
                workers.deinitialize(count: count)
                workers.deallocate()
            }
            // Worker w only ever touches workers[w].
            nonisolated(unsafe) let scratch = workers
            Parallelism.forEachWithWorker(batchChunks) { w, chunk in
                body(chunk, images(ofChunk: chunk), &scratch[w])
            }
        }
    }
}

/// Scratch space of one convolution thread: a column buffer and the GEMM packing space.
struct ConvWorker {
    let path: SIMDPath
    let gemmThreads: Int
    private var gemmSpace = GEMMWorkspace()
    private var colBuffer: UnsafeMutablePointer<Float>?
    private var colCapacity = 0

    init(path: SIMDPath, gemmThreads: Int) {
        self.path = path
        self.gemmThreads = gemmThreads
    }

    /// A buffer of at least `count` floats, reused across images.
    mutating func col(_ count: Int) -> UnsafeMutablePointer<Float> {
        if let colBuffer, count <= colCapacity { return colBuffer }
        colBuffer?.deallocate()
        colCapacity = max(count, 1)
        let fresh = UnsafeMutablePointer<Float>.allocate(capacity: colCapacity)
        colBuffer = fresh
        return fresh
    }

    /// `C = op(A) · op(B) + beta · C` on this worker's threads.
    mutating func gemm(m: Int, n: Int, k: Int, a: GEMMOperandA, b: GEMMOperandB, beta: Float,
                       c: UnsafeMutablePointer<Float>, ldc: Int) {
        if gemmThreads > 1 {
            sgemm(path: path, m: m, n: n, k: k, alpha: 1, a: a, b: b, beta: beta, c: c, ldc: ldc, threads: gemmThreads)
        } else {
            gemmSpace.sgemm(path: path, m: m, n: n, k: k, alpha: 1, a: a, b: b, beta: beta, c: c, ldc: ldc)
        }
    }

    mutating func deallocate() {
        gemmSpace.deallocate()
        colBuffer?.deallocate()
        colBuffer = nil
        colCapacity = 0
    }
}
