import Foundation

/// Channel layout of a batch-norm input: `[N, C]` or `[N, C, H, W]` as (N, C, spatial).
private func bnLayout(_ x: Tensor, _ op: String) -> (n: Int, c: Int, s: Int) {
    precondition(x.rank == 2 || x.rank == 4, "\(op): input \(x.shape) must be [N, C] or [N, C, H, W]")
    return (x.shape[0], x.shape[1], x.rank == 4 ? x.shape[2] * x.shape[3] : 1)
}

/// Batch normalisation in training mode (Ioffe & Szegedy 2015, Algorithm 1), a fused primitive.
///
/// Per channel c over the batch and spatial positions: `μ = mean(x)`, `σ² = mean((x − μ)²)`
/// (biased), `y = scale · (x − μ)/√(σ² + ε) + offset`. Returns the batch statistics (detached)
/// for the caller to update its running averages.
public func batchNorm(_ x: Tensor, scale: Tensor, offset: Tensor, epsilon: Float = 1e-5)
    -> (output: Tensor, mean: Tensor, variance: Tensor) {
    let (n, c, s) = bnLayout(x, "batchNorm")
    precondition(scale.shape == [c] && offset.shape == [c],
                 "batchNorm: scale \(scale.shape) / offset \(offset.shape) must be [\(c)] for input \(x.shape)")
    let m = n * s
    precondition(m > 0, "batchNorm: empty batch \(x.shape)")
    var mean = [Float](repeating: 0, count: c), variance = [Float](repeating: 0, count: c)
    var invStd = [Float](repeating: 0, count: c)
    let gammas = scale.scalars, betas = offset.scalars
    let out = [Float](unsafeUninitializedCapacity: x.count) { buf, count in
        x.scalars.withUnsafeBufferPointer { px in
            mean.withUnsafeMutableBufferPointer { pm in
                variance.withUnsafeMutableBufferPointer { pv in
                    invStd.withUnsafeMutableBufferPointer { pi in
                        // Channels are independent: disjoint reads and writes per channel.
                        nonisolated(unsafe) let (xs, o, ms, vs, iv) = (px.baseAddress!, buf.baseAddress!, pm.baseAddress!, pv.baseAddress!, pi.baseAddress!)
                        Parallelism.forEach(c) { ch in
                            var sum: Double = 0
                            for b in 0..<n { sum += Double(simdSum(xs + (b * c + ch) * s, s)) }
                            let mu = Float(sum / Double(m))
                            var sq: Double = 0
                            for b in 0..<n { sq += Double(simdSumOfSquares(xs + (b * c + ch) * s, s, around: mu)) }
                            let v = Float(sq / Double(m))
                            let inv = 1 / (v + epsilon).squareRoot()
                            ms[ch] = mu; vs[ch] = v; iv[ch] = inv
                            // y = γ·(x − μ)·inv + β = x·a + b
                            let a = gammas[ch] * inv, shift = betas[ch] - mu * a
                            for bi in 0..<n { affine(xs + (bi * c + ch) * s, o + (bi * c + ch) * s, s, a, shift) }
                        }
                    }
                }
            }
        }
        count = x.count
    }
    let xs = x.scalars, shape = x.shape
    let needX = x.isTracked, needScale = scale.isTracked, needOffset = offset.isTracked
    let means = mean, invs = invStd
    let y = Tensor.record("batchNorm", shape: shape, scalars: out, inputs: [x, scale, offset]) { g in
        var dGamma = [Float](repeating: 0, count: c), dBeta = [Float](repeating: 0, count: c)
        var dx: [Float]? = needX ? [Float](repeating: 0, count: g.count) : nil
        g.scalars.withUnsafeBufferPointer { pg in
            xs.withUnsafeBufferPointer { px in
                dGamma.withUnsafeMutableBufferPointer { pdg in
                    dBeta.withUnsafeMutableBufferPointer { pdb in
                        func run(_ dxPointer: UnsafeMutablePointer<Float>?) {
                            nonisolated(unsafe) let (gs, xsp, dgs, dbs, dxs) = (pg.baseAddress!, px.baseAddress!, pdg.baseAddress!, pdb.baseAddress!, dxPointer)
                            Parallelism.forEach(c) { ch in
                                let mu = means[ch], inv = invs[ch]
                                // Σg and Σg·x̂ with x̂ = (x − μ)·inv recomputed (not stored).
                                var sg: Double = 0, sgx: Double = 0
                                for b in 0..<n {
                                    let (a, bb) = simdSumAndDot(gs + (b * c + ch) * s, xsp + (b * c + ch) * s, s, around: mu)
                                    sg += Double(a); sgx += Double(bb)
                                }
                                let sumG = Float(sg), sumGH = Float(sgx) * inv
                                dbs[ch] = sumG; dgs[ch] = sumGH
                                guard let dxs else { return }
                                // dx = γ·inv/M · (M·g − Σg − x̂·Σ(g·x̂))
                                let k = gammas[ch] * inv / Float(m), fm = Float(m)
                                let cg = k * fm, cc = -k * sumG, cx = -k * sumGH * inv
                                for b in 0..<n {
                                    let o = (b * c + ch) * s
                                    batchNormInputGradient(gs + o, xsp + o, dxs + o, s, cg: cg, cx: cx, mu: mu, constant: cc)
                                }
                            }
                        }
                        if dx != nil {
                            dx!.withUnsafeMutableBufferPointer { run($0.baseAddress!) }
                        } else {
                            run(nil)
                        }
                    }
                }
            }
        }
        return [dx.map { Tensor(shape: shape, scalars: $0) },
                needScale ? Tensor(shape: [c], scalars: dGamma) : nil,
                needOffset ? Tensor(shape: [c], scalars: dBeta) : nil]
    }
    return (y, Tensor(shape: [c], scalars: mean), Tensor(shape: [c], scalars: variance))
}

// MARK: - SIMD loops (8 lanes; two SSE registers on baseline x86-64)

@inline(__always) private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) private func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

@inline(__always) private func simdSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(), i = 0
    while i + 8 <= n { acc += load8(p + i); i += 8 }
    var t = acc.sum()
    while i < n { t += p[i]; i += 1 }
    return t
}

@inline(__always) private func simdSumOfSquares(_ p: UnsafePointer<Float>, _ n: Int, around mu: Float) -> Float {
    var acc = SIMD8<Float>(), i = 0
    let m = SIMD8<Float>(repeating: mu)
    while i + 8 <= n { let d = load8(p + i) - m; acc += d * d; i += 8 }
    var t = acc.sum()
    while i < n { let d = p[i] - mu; t += d * d; i += 1 }
    return t
}

/// (Σg, Σg·(x − μ)).
@inline(__always) private func simdSumAndDot(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, around mu: Float) -> (Float, Float) {
    var a = SIMD8<Float>(), b = SIMD8<Float>(), i = 0
    let m = SIMD8<Float>(repeating: mu)
    while i + 8 <= n { let gv = load8(g + i); a += gv; b += gv * (load8(x + i) - m); i += 8 }
    var sa = a.sum(), sb = b.sum()
    while i < n { sa += g[i]; sb += g[i] * (x[i] - mu); i += 1 }
    return (sa, sb)
}

@inline(__always) private func affine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ a: Float, _ b: Float) {
    var i = 0
    let av = SIMD8<Float>(repeating: a), bv = SIMD8<Float>(repeating: b)
    while i + 8 <= n { store8(load8(x + i) * av + bv, y + i); i += 8 }
    while i < n { y[i] = x[i] * a + b; i += 1 }
}

/// y = ((x − μ)·inv)·scale + offset, rounded after each operation.
@inline(__always) private func normalize(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
                                         mu: Float, inv: Float, scale: Float, offset: Float) {
    var i = 0
    let vm = SIMD8<Float>(repeating: mu), vi = SIMD8<Float>(repeating: inv)
    let vs = SIMD8<Float>(repeating: scale), vo = SIMD8<Float>(repeating: offset)
    while i + 8 <= n { store8(((load8(x + i) - vm) * vi) * vs + vo, y + i); i += 8 }
    while i < n { y[i] = ((x[i] - mu) * inv) * scale + offset; i += 1 }
}

/// dx = cg·g + cx·(x − μ) + constant.
@inline(__always) private func batchNormInputGradient(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                                      _ n: Int, cg: Float, cx: Float, mu: Float, constant: Float) {
    var i = 0
    let vg = SIMD8<Float>(repeating: cg), vx = SIMD8<Float>(repeating: cx), vm = SIMD8<Float>(repeating: mu), vc = SIMD8<Float>(repeating: constant)
    while i + 8 <= n { store8(vg * load8(g + i) + vx * (load8(x + i) - vm) + vc, dx + i); i += 8 }
    while i < n { dx[i] = cg * g[i] + cx * (x[i] - mu) + constant; i += 1 }
}

/// Batch normalisation in evaluation mode with running statistics:
/// `y = scale · (x − runningMean)/√(runningVariance + ε) + offset`. The statistics are
/// constants; gradients flow to `x`, `scale` and `offset`.
public func batchNorm(_ x: Tensor, scale: Tensor, offset: Tensor, runningMean: Tensor, runningVariance: Tensor,
                      epsilon: Float = 1e-5) -> Tensor {
    let (_, c, _) = bnLayout(x, "batchNorm")
    for (name, t) in [("scale", scale), ("offset", offset), ("runningMean", runningMean), ("runningVariance", runningVariance)] {
        precondition(t.shape == [c], "batchNorm: \(name) \(t.shape) must be [\(c)] for input \(x.shape)")
    }
    if !x.isTracked && !scale.isTracked && !offset.isTracked && x.count > 0 {
        // Inference: nothing to differentiate, so one pass per channel instead of four
        // broadcasting ops, the channels spread over the threads. The same operations in the
        // same order as the tracked expression below, so the bits are the same.
        let (n, _, s) = bnLayout(x, "batchNorm")
        let gammas = scale.scalars, betas = offset.scalars, means = runningMean.scalars, vars = runningVariance.scalars
        let out = [Float](unsafeUninitializedCapacity: x.count) { buf, count in
            x.scalars.withUnsafeBufferPointer { px in
                nonisolated(unsafe) let (xs, o) = (px.baseAddress!, buf.baseAddress!)
                Parallelism.forEach(c) { ch in
                    let inv = 1 / (vars[ch] + epsilon).squareRoot()
                    for b in 0..<n {
                        normalize(xs + (b * c + ch) * s, o + (b * c + ch) * s, s, mu: means[ch], inv: inv,
                                  scale: gammas[ch], offset: betas[ch])
                    }
                }
            }
            count = x.count
        }
        return Tensor(shape: x.shape, scalars: out)
    }
    let shape = x.rank == 4 ? [1, c, 1, 1] : [1, c]
    let inv = Tensor(shape: shape, scalars: runningVariance.scalars.map { 1 / ($0 + epsilon).squareRoot() })
    let mu = runningMean.detached().reshaped(shape)
    return (x - mu) * inv * scale.reshaped(shape) + offset.reshaped(shape)
}
