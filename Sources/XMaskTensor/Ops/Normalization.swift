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
    var xhat = [Float](repeating: 0, count: x.count)
    var out = [Float](repeating: 0, count: x.count)
    x.scalars.withUnsafeBufferPointer { px in
        for ch in 0..<c {
            var sum: Double = 0
            for b in 0..<n {
                let base = (b * c + ch) * s
                var part: Float = 0
                for i in 0..<s { part += px[base + i] }
                sum += Double(part)
            }
            let mu = Float(sum / Double(m))
            var sq: Double = 0
            for b in 0..<n {
                let base = (b * c + ch) * s
                var part: Float = 0
                for i in 0..<s { let d = px[base + i] - mu; part += d * d }
                sq += Double(part)
            }
            let v = Float(sq / Double(m))
            let inv = 1 / (v + epsilon).squareRoot()
            mean[ch] = mu; variance[ch] = v; invStd[ch] = inv
            let gamma = scale.scalars[ch], beta = offset.scalars[ch]
            xhat.withUnsafeMutableBufferPointer { ph in
                out.withUnsafeMutableBufferPointer { po in
                    for b in 0..<n {
                        let base = (b * c + ch) * s
                        for i in 0..<s {
                            let h = (px[base + i] - mu) * inv
                            ph[base + i] = h
                            po[base + i] = gamma * h + beta
                        }
                    }
                }
            }
        }
    }
    let gammas = scale.scalars, shape = x.shape
    let needX = x.isTracked, needScale = scale.isTracked, needOffset = offset.isTracked
    let y = Tensor.record("batchNorm", shape: shape, scalars: out, inputs: [x, scale, offset]) { g in
        var dGamma = [Float](repeating: 0, count: c), dBeta = [Float](repeating: 0, count: c)
        var dx: [Float]? = needX ? [Float](repeating: 0, count: g.count) : nil
        g.scalars.withUnsafeBufferPointer { pg in
            xhat.withUnsafeBufferPointer { ph in
                for ch in 0..<c {
                    var sg: Float = 0, sgh: Float = 0
                    for b in 0..<n {
                        let base = (b * c + ch) * s
                        for i in 0..<s { sg += pg[base + i]; sgh += pg[base + i] * ph[base + i] }
                    }
                    dBeta[ch] = sg; dGamma[ch] = sgh
                    if dx != nil {
                        // dx = γ/(σ·M) · (M·g − Σg − x̂·Σ(g·x̂))
                        let k = gammas[ch] * invStd[ch] / Float(m)
                        let fm = Float(m)
                        dx!.withUnsafeMutableBufferPointer { pd in
                            for b in 0..<n {
                                let base = (b * c + ch) * s
                                for i in 0..<s { pd[base + i] = k * (fm * pg[base + i] - sg - ph[base + i] * sgh) }
                            }
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

/// Batch normalisation in evaluation mode with running statistics:
/// `y = scale · (x − runningMean)/√(runningVariance + ε) + offset`. The statistics are
/// constants; gradients flow to `x`, `scale` and `offset`.
public func batchNorm(_ x: Tensor, scale: Tensor, offset: Tensor, runningMean: Tensor, runningVariance: Tensor,
                      epsilon: Float = 1e-5) -> Tensor {
    let (_, c, _) = bnLayout(x, "batchNorm")
    for (name, t) in [("scale", scale), ("offset", offset), ("runningMean", runningMean), ("runningVariance", runningVariance)] {
        precondition(t.shape == [c], "batchNorm: \(name) \(t.shape) must be [\(c)] for input \(x.shape)")
    }
    let shape = x.rank == 4 ? [1, c, 1, 1] : [1, c]
    let inv = Tensor(shape: shape, scalars: runningVariance.scalars.map { 1 / ($0 + epsilon).squareRoot() })
    let mu = runningMean.detached().reshaped(shape)
    return (x - mu) * inv * scale.reshaped(shape) + offset.reshaped(shape)
}
