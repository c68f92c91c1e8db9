/// Shape of a batched 2-D convolution, NCHW input `[batch, inChannels, height, width]`,
/// weight `[outChannels, inChannels, kernelHeight, kernelWidth]`, output
/// `[batch, outChannels, outHeight, outWidth]`; no dilation, no groups.
public struct Conv2DShape: Equatable, Sendable {
    public var batch, inChannels, height, width, outChannels: Int
    public var kernelHeight, kernelWidth, strideH, strideW, padH, padW: Int

    public init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int,
                kernelHeight: Int, kernelWidth: Int, strideH: Int = 1, strideW: Int = 1,
                padH: Int = 0, padW: Int = 0) {
        self.batch = batch; self.inChannels = inChannels; self.height = height; self.width = width
        self.outChannels = outChannels; self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideH = strideH; self.strideW = strideW; self.padH = padH; self.padW = padW
    }

    public var outHeight: Int { (height + 2 * padH - kernelHeight) / strideH + 1 }
    public var outWidth: Int { (width + 2 * padW - kernelWidth) / strideW + 1 }
    /// Geometry of one image, for ``im2col(_:image:col:)``.
    public var image: ConvGeometry {
        ConvGeometry(channels: inChannels, height: height, width: width, kernelHeight: kernelHeight,
                     kernelWidth: kernelWidth, strideH: strideH, strideW: strideW, padH: padH, padW: padW)
    }
}

// Fast kernels: one SGEMM per image whose im2col operand is read straight from the image while
// the GEMM packs it (no im2col buffer; CXMaskKernels), the weights packed once per call. With a
// batch of at least two images and two or more threads, the batch is split between threads,
// each running single-threaded GEMMs on its own workspace; otherwise the GEMM is threaded.

/// `output = conv(input, weight) + bias` (bias optional, per output channel). Overwrites `output`.
///
/// Per image: `output[n] (Cout × P) = weight (Cout × K) · im2col(input[n]) (K × P)`,
/// `K = Cin·kh·kw`, `P = outH·outW`.
public func conv2dForward(_ s: Conv2DShape, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                          bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
    conv2dForward(path: .active, s, input: input, weight: weight, bias: bias, output: output)
}

/// `gradInput = ∂⟨output, gradOutput⟩/∂input`. Overwrites `gradInput`.
///
/// Stride 1: a convolution of `gradOutput[n]` with the flipped, transposed weights
/// (`Cin × Cout·kh·kw`, padding `kh − 1 − padH`). Other strides: `col = weightᵀ · gradOutput[n]`
/// then ``col2im(_:col:image:)``.
public func conv2dBackwardInput(_ s: Conv2DShape, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                gradInput: UnsafeMutablePointer<Float>) {
    conv2dBackwardInput(path: .active, s, gradOutput: gradOutput, weight: weight, gradInput: gradInput)
}

/// `gradWeight = ∂⟨output, gradOutput⟩/∂weight`. Overwrites `gradWeight`.
///
/// `gradWeight (Cout × K) = Σₙ gradOutput[n] (Cout × P) · im2col(input[n])ᵀ (P × K)`; with
/// several threads each sums its images into its own buffer, and the buffers are added at the end.
public func conv2dBackwardWeight(_ s: Conv2DShape, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                                 gradWeight: UnsafeMutablePointer<Float>) {
    conv2dBackwardWeight(path: .active, s, input: input, gradOutput: gradOutput, gradWeight: gradWeight)
}

/// ``conv2dForward(_:input:weight:bias:output:)`` on a chosen SIMD path (tests force each one).
func conv2dForward(path: SIMDPath, _ s: Conv2DShape, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                   bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
    let plan = ConvPlan(s, path: path)
    let weights = PackedMatrix(path: path, m: s.outChannels, k: plan.patch, a: weight, ld: plan.patch, transposed: false)
    defer { weights.deallocate() }
    plan.forEachImageRange { _, images, worker in
        for n in images {
            let image = input + n * plan.inputSize
            let out = output + n * plan.outputSize
            let b = plan.isPointwise ? GEMMOperandB(image, ld: plan.pixels, transposed: false)
                : GEMMOperandB(image: image, s.image, transposed: false)
            worker.gemm(m: s.outChannels, n: plan.pixels, k: plan.patch, a: GEMMOperandA(weights), b: b,
                        beta: 0, c: out, ldc: plan.pixels)
            if let bias {
                for co in 0..<s.outChannels {
                    let row = out + co * plan.pixels, b = bias[co]
                    for i in 0..<plan.pixels { row[i] += b }
                }
            }
        }
    }
}

/// ``conv2dBackwardInput(_:gradOutput:weight:gradInput:)`` on a chosen SIMD path.
func conv2dBackwardInput(path: SIMDPath, _ s: Conv2DShape, gradOutput: UnsafePointer<Float>,
                         weight: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
    let plan = ConvPlan(s, path: path)
    let kh = s.kernelHeight, kw = s.kernelWidth, cin = s.inChannels, cout = s.outChannels
    if s.strideH == 1 && s.strideW == 1 && s.padH < kh && s.padW < kw {
        // gradInput[n] = flipped (Cin × Cout·kh·kw) · im2col(gradOutput[n] padded by kh−1−padH).
        let taps = kh * kw, flippedK = cout * taps
        let flipped = UnsafeMutablePointer<Float>.allocate(capacity: cin * flippedK)
        defer { flipped.deallocate() }
        for co in 0..<cout {
            for ci in 0..<cin {
                let src = weight + (co * cin + ci) * taps, dst = flipped + ci * flippedK + co * taps
                for t in 0..<taps { dst[taps - 1 - t] = src[t] }
            }
        }
        let weights = PackedMatrix(path: path, m: cin, k: flippedK, a: flipped, ld: flippedK, transposed: false)
        defer { weights.deallocate() }
        let g = ConvGeometry(channels: cout, height: s.outHeight, width: s.outWidth, kernelHeight: kh,
                             kernelWidth: kw, padH: kh - 1 - s.padH, padW: kw - 1 - s.padW)
        precondition(g.outHeight == s.height && g.outWidth == s.width, "conv2dBackwardInput: geometry \(s)")
        let imagePixels = s.height * s.width
        plan.forEachImageRange { _, images, worker in
            for n in images {
                let grad = gradOutput + n * plan.outputSize
                let b = plan.isPointwise ? GEMMOperandB(grad, ld: plan.pixels, transposed: false)
                    : GEMMOperandB(image: grad, g, transposed: false)
                worker.gemm(m: cin, n: imagePixels, k: flippedK, a: GEMMOperandA(weights), b: b,
                            beta: 0, c: gradInput + n * plan.inputSize, ldc: imagePixels)
            }
        }
        return
    }
    // col (K × P) = weightᵀ · gradOutput[n], then col2im.
    let weights = PackedMatrix(path: path, m: plan.patch, k: cout, a: weight, ld: plan.patch, transposed: true)
    defer { weights.deallocate() }
    plan.forEachImageRange { _, images, worker in
        for n in images {
            let dst = gradInput + n * plan.inputSize
            let col = worker.col(plan.patch * plan.pixels)
            worker.gemm(m: plan.patch, n: plan.pixels, k: cout, a: GEMMOperandA(weights),
                        b: GEMMOperandB(gradOutput + n * plan.outputSize, ld: plan.pixels, transposed: false),
                        beta: 0, c: col, ldc: plan.pixels)
            dst.update(repeating: 0, count: plan.inputSize)
            col2im(s.image, col: col, image: dst)
        }
    }
}

/// ``conv2dBackwardWeight(_:input:gradOutput:gradWeight:)`` on a chosen SIMD path.
func conv2dBackwardWeight(path: SIMDPath, _ s: Conv2DShape, input: UnsafePointer<Float>,
                          gradOutput: UnsafePointer<Float>, gradWeight: UnsafeMutablePointer<Float>) {
    let plan = ConvPlan(s, path: path)
    let count = s.outChannels * plan.patch
    let chunks = plan.batchChunks
    // Chunk 0 sums into gradWeight itself; the others into `partials`.
    let partials = UnsafeMutablePointer<Float>.allocate(capacity: max(0, chunks - 1) * count)
    defer { partials.deallocate() }
    if s.batch == 0 { gradWeight.update(repeating: 0, count: count) }
    plan.forEachImageRange { chunk, images, worker in
        let sum = chunk == 0 ? gradWeight : partials + (chunk - 1) * count
        if images.isEmpty { sum.update(repeating: 0, count: count) }
        for n in images {
            let image = input + n * plan.inputSize
            let b = plan.isPointwise ? GEMMOperandB(image, ld: plan.pixels, transposed: true)
                : GEMMOperandB(image: image, s.image, transposed: true)
            worker.gemm(m: s.outChannels, n: plan.patch, k: plan.pixels,
                        a: GEMMOperandA(gradOutput + n * plan.outputSize, ld: plan.pixels, transposed: false),
                        b: b, beta: n == images.lowerBound ? 0 : 1, c: sum, ldc: plan.patch)
        }
    }
    for chunk in 1..<max(1, chunks) {
        let part = partials + (chunk - 1) * count
        for i in 0..<count { gradWeight[i] += part[i] }
    }
}

/// Visits every (output element, kernel tap) pair of a convolution whose tap reads inside the
/// image: `body(outputIndex, inputIndex, weightIndex)`, output-major, then cin, kh, kw. The three
/// naive reference loops below are this walk with a different accumulation.
@inline(__always)
func forEachConvolutionTap(_ s: Conv2DShape, _ body: (_ output: Int, _ input: Int, _ weight: Int) -> Void) {
    let oh = s.outHeight, ow = s.outWidth
    for n in 0..<s.batch {
        for co in 0..<s.outChannels {
            for y in 0..<oh {
                for x in 0..<ow {
                    let o = ((n * s.outChannels + co) * oh + y) * ow + x
                    for ci in 0..<s.inChannels {
                        for i in 0..<s.kernelHeight {
                            let iy = y * s.strideH - s.padH + i
                            if iy < 0 || iy >= s.height { continue }
                            for j in 0..<s.kernelWidth {
                                let ix = x * s.strideW - s.padW + j
                                if ix < 0 || ix >= s.width { continue }
                                body(o, ((n * s.inChannels + ci) * s.height + iy) * s.width + ix,
                                     ((co * s.inChannels + ci) * s.kernelHeight + i) * s.kernelWidth + j)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Naive direct convolution (the reference the fast kernel is tested against).
public func conv2dForwardReference(_ s: Conv2DShape, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                   bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
    let positions = s.outHeight * s.outWidth
    for o in 0..<(s.batch * s.outChannels * positions) { output[o] = bias?[(o / positions) % s.outChannels] ?? 0 }
    forEachConvolutionTap(s) { o, i, w in output[o] += input[i] * weight[w] }
}

public func conv2dBackwardInputReference(_ s: Conv2DShape, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                         gradInput: UnsafeMutablePointer<Float>) {
    gradInput.update(repeating: 0, count: s.batch * s.inChannels * s.height * s.width)
    forEachConvolutionTap(s) { o, i, w in gradInput[i] += gradOutput[o] * weight[w] }
}

public func conv2dBackwardWeightReference(_ s: Conv2DShape, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                                          gradWeight: UnsafeMutablePointer<Float>) {
    gradWeight.update(repeating: 0, count: s.outChannels * s.inChannels * s.kernelHeight * s.kernelWidth)
    forEachConvolutionTap(s) { o, i, w in gradWeight[w] += gradOutput[o] * input[i] }
}
