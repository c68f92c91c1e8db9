/// PACT activation fake-quantization (Choi et al. 2018), a fused primitive:
/// `y = ⌊clamp(x, 0, α)·L/α⌉·α/L` with `L = levels` steps (round half to even).
///
/// Straight-through gradients, as PACT's eq. 3–4: `∂y/∂x = 1[0 ≤ x ≤ α]`,
/// `∂y/∂α = Σ g·1[x ≥ α]` (at `x = α` both receive the gradient). One pass forward and one
/// backward, split over the cores for large tensors.
public func pactQuantize(_ x: Tensor, alpha: Tensor, levels: Int) -> Tensor {
    precondition(alpha.count == 1, "pactQuantize: α must hold one value, got shape \(alpha.shape)")
    precondition(levels >= 1, "pactQuantize: \(levels) levels")
    let a = alpha.scalars[0]
    precondition(a > 0, "pactQuantize: α = \(a) must be positive")
    let step = a / Float(levels)
    let n = x.count
    let out = [Float](unsafeUninitializedCapacity: n) { buf, count in
        x.scalars.withUnsafeBufferPointer { p in
            nonisolated(unsafe) let (src, dst) = (p.baseAddress!, buf.baseAddress!)
            forEachChunk(n) { range in
                for i in range {
                    let y = Swift.min(Swift.max(src[i], 0), a)
                    // Adding 1.5·2²³ leaves no fraction bits: round half to even, vectorizable.
                    dst[i] = ((y / step + 12_582_912) - 12_582_912) * step
                }
            }
        }
        count = n
    }
    let xs = x.scalars, needAlpha = alpha.isTracked, alphaShape = alpha.shape
    return Tensor.record("pactQuantize", shape: x.shape, scalars: out, inputs: [x, alpha]) { g in
        let gx = [Float](unsafeUninitializedCapacity: n) { buf, count in
            g.scalars.withUnsafeBufferPointer { pg in
                xs.withUnsafeBufferPointer { px in
                    nonisolated(unsafe) let (gs, src, dst) = (pg.baseAddress!, px.baseAddress!, buf.baseAddress!)
                    forEachChunk(n) { range in
                        for i in range { dst[i] = (src[i] >= 0 && src[i] <= a) ? gs[i] : 0 }
                    }
                }
            }
            count = n
        }
        var ga: Tensor?
        if needAlpha {
            var s: Double = 0
            for i in 0..<n where xs[i] >= a { s += Double(g.scalars[i]) }
            ga = Tensor(shape: alphaShape, scalars: [Float(s)])
        }
        return [Tensor(shape: g.shape, scalars: gx), ga]
    }
}

/// Splits `0..<n` into one contiguous range per thread (one range when `n` is small).
func forEachChunk(_ n: Int, minimumPerThread: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
    let threads = Swift.max(1, Swift.min(Parallelism.threadCount, n / minimumPerThread))
    if threads == 1 {
        body(0..<n)
        return
    }
    let size = (n + threads - 1) / threads
    Parallelism.forEach(threads) { t in body((t * size)..<Swift.min(n, (t + 1) * size)) }
}
