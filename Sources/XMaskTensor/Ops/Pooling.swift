/// 2-D max pooling over `[N, C, H, W]`; padding counts as −∞. The gradient goes to the first
/// maximal element of each window.
public func maxPool2d(_ x: Tensor, kernelSize: Int, stride: Int, padding: Int = 0) -> Tensor {
    let (n, c, h, w, oh, ow) = poolGeometry(x, kernelSize: kernelSize, stride: stride, padding: padding, op: "maxPool2d")
    var out = [Float](repeating: -.infinity, count: n * c * oh * ow)
    var arg = [Int](repeating: -1, count: out.count)
    x.scalars.withUnsafeBufferPointer { p in
        for plane in 0..<(n * c) {
            let src = plane * h * w, dst = plane * oh * ow
            for y in 0..<oh {
                for xo in 0..<ow {
                    var best = -Float.infinity, bi = -1
                    for i in 0..<kernelSize {
                        let iy = y * stride - padding + i
                        if iy < 0 || iy >= h { continue }
                        for j in 0..<kernelSize {
                            let ix = xo * stride - padding + j
                            if ix < 0 || ix >= w { continue }
                            let v = p[src + iy * w + ix]
                            if v > best || bi < 0 { best = v; bi = src + iy * w + ix }
                        }
                    }
                    out[dst + y * ow + xo] = best
                    arg[dst + y * ow + xo] = bi
                }
            }
        }
    }
    let inShape = x.shape, inCount = x.count
    return Tensor.record("maxPool2d", shape: [n, c, oh, ow], scalars: out, inputs: [x]) { g in
        var grad = [Float](repeating: 0, count: inCount)
        for (k, i) in arg.enumerated() where i >= 0 { grad[i] += g.scalars[k] }
        return [Tensor(shape: inShape, scalars: grad)]
    }
}

/// 2-D average pooling over `[N, C, H, W]`; padded positions count as zeros in the divisor
/// (PyTorch's `count_include_pad=True`).
public func avgPool2d(_ x: Tensor, kernelSize: Int, stride: Int, padding: Int = 0) -> Tensor {
    let (n, c, h, w, oh, ow) = poolGeometry(x, kernelSize: kernelSize, stride: stride, padding: padding, op: "avgPool2d")
    let scale = 1 / Float(kernelSize * kernelSize)
    var out = [Float](repeating: 0, count: n * c * oh * ow)
    x.scalars.withUnsafeBufferPointer { p in
        for plane in 0..<(n * c) {
            let src = plane * h * w, dst = plane * oh * ow
            for y in 0..<oh {
                for xo in 0..<ow {
                    var s: Float = 0
                    for i in 0..<kernelSize {
                        let iy = y * stride - padding + i
                        if iy < 0 || iy >= h { continue }
                        for j in 0..<kernelSize {
                            let ix = xo * stride - padding + j
                            if ix >= 0 && ix < w { s += p[src + iy * w + ix] }
                        }
                    }
                    out[dst + y * ow + xo] = s * scale
                }
            }
        }
    }
    let inShape = x.shape
    return Tensor.record("avgPool2d", shape: [n, c, oh, ow], scalars: out, inputs: [x]) { g in
        var grad = [Float](repeating: 0, count: inShape.reduce(1, *))
        for plane in 0..<(n * c) {
            let src = plane * h * w, dst = plane * oh * ow
            for y in 0..<oh {
                for xo in 0..<ow {
                    let gv = g.scalars[dst + y * ow + xo] * scale
                    for i in 0..<kernelSize {
                        let iy = y * stride - padding + i
                        if iy < 0 || iy >= h { continue }
                        for j in 0..<kernelSize {
                            let ix = xo * stride - padding + j
                            if ix >= 0 && ix < w { grad[src + iy * w + ix] += gv }
                        }
                    }
                }
            }
        }
        return [Tensor(shape: inShape, scalars: grad)]
    }
}

/// Mean over the spatial axes: `[N, C, H, W]` → `[N, C]` (a composite of `mean`).
public func globalAvgPool2d(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4, "globalAvgPool2d: input \(x.shape) must be rank 4 (NCHW)")
    return x.mean(axes: [2, 3])
}

private func poolGeometry(_ x: Tensor, kernelSize: Int, stride: Int, padding: Int, op: String)
    -> (Int, Int, Int, Int, Int, Int) {
    precondition(x.rank == 4, "\(op): input \(x.shape) must be rank 4 (NCHW)")
    precondition(kernelSize > 0 && stride > 0 && padding >= 0 && padding <= kernelSize / 2,
                 "\(op): kernel \(kernelSize), stride \(stride), padding \(padding) invalid (padding ≤ kernel/2)")
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    precondition(h + 2 * padding >= kernelSize && w + 2 * padding >= kernelSize,
                 "\(op): kernel \(kernelSize) larger than padded input \(x.shape)")
    return (n, c, h, w, (h + 2 * padding - kernelSize) / stride + 1, (w + 2 * padding - kernelSize) / stride + 1)
}
