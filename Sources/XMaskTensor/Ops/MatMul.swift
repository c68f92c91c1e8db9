/// Matrix product over the last two axes, batched over the leading ones.
///
/// `a: [..., m, k]`, `b: [..., k, n]` → `[..., m, n]`. The leading (batch) axes of `a` and `b`
/// must be equal, or one operand must be a plain matrix shared by every batch element.
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.rank >= 2 && b.rank >= 2, "matmul: \(a.shape) × \(b.shape): both operands need rank ≥ 2")
    let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
    let k2 = b.shape[b.rank - 2], n = b.shape[b.rank - 1]
    let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
    precondition(k == k2, "matmul: \(a.shape) × \(b.shape): inner extents \(k) and \(k2) differ")
    precondition(batchA == batchB || batchA.isEmpty || batchB.isEmpty,
                 "matmul: \(a.shape) × \(b.shape): batch axes \(batchA) and \(batchB) differ")
    let batchShape = batchA.isEmpty ? batchB : batchA
    let batch = batchShape.reduce(1, *)
    let strideA = batchA.isEmpty ? 0 : m * k, strideB = batchB.isEmpty ? 0 : k * n
    var out = [Float](repeating: 0, count: batch * m * n)
    a.scalars.withUnsafeBufferPointer { pa in
        b.scalars.withUnsafeBufferPointer { pb in
            out.withUnsafeMutableBufferPointer { pc in
                for i in 0..<batch {
                    sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                          a: pa.baseAddress! + i * strideA, lda: k, b: pb.baseAddress! + i * strideB, ldb: n,
                          beta: 0, c: pc.baseAddress! + i * m * n, ldc: n)
                }
            }
        }
    }
    let ad = a.detached(), bd = b.detached(), needA = a.isTracked, needB = b.isTracked
    return Tensor.record("matmul", shape: batchShape + [m, n], scalars: out, inputs: [a, b]) { g in
        var ga: [Float]? = needA ? [Float](repeating: 0, count: ad.count) : nil
        var gb: [Float]? = needB ? [Float](repeating: 0, count: bd.count) : nil
        g.scalars.withUnsafeBufferPointer { pg in
            ad.scalars.withUnsafeBufferPointer { pa in
                bd.scalars.withUnsafeBufferPointer { pb in
                    for i in 0..<batch {
                        let gi = pg.baseAddress! + i * m * n
                        if ga != nil {
                            ga!.withUnsafeMutableBufferPointer { q in
                                // dA = G · Bᵀ (accumulated when A is shared across the batch)
                                sgemm(transposeA: false, transposeB: true, m: m, n: k, k: n, alpha: 1,
                                      a: gi, lda: n, b: pb.baseAddress! + i * strideB, ldb: n,
                                      beta: strideA == 0 && i > 0 ? 1 : 0, c: q.baseAddress! + i * strideA, ldc: k)
                            }
                        }
                        if gb != nil {
                            gb!.withUnsafeMutableBufferPointer { q in
                                // dB = Aᵀ · G
                                sgemm(transposeA: true, transposeB: false, m: k, n: n, k: m, alpha: 1,
                                      a: pa.baseAddress! + i * strideA, lda: k, b: gi, ldb: n,
                                      beta: strideB == 0 && i > 0 ? 1 : 0, c: q.baseAddress! + i * strideB, ldc: n)
                            }
                        }
                    }
                }
            }
        }
        return [ga.map { Tensor(shape: ad.shape, scalars: $0) }, gb.map { Tensor(shape: bd.shape, scalars: $0) }]
    }
}
