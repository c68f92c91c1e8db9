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

// PLACEHOLDER implementations (naive) until the kernels helper lands the fast ones in this file.

/// `output = conv(input, weight) + bias` (bias optional, per output channel). Overwrites `output`.
public func conv2dForward(_ s: Conv2DShape, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                          bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
    conv2dForwardReference(s, input: input, weight: weight, bias: bias, output: output)
}

/// `gradInput = ∂⟨output, gradOutput⟩/∂input`. Overwrites `gradInput`.
public func conv2dBackwardInput(_ s: Conv2DShape, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                gradInput: UnsafeMutablePointer<Float>) {
    conv2dBackwardInputReference(s, gradOutput: gradOutput, weight: weight, gradInput: gradInput)
}

/// `gradWeight = ∂⟨output, gradOutput⟩/∂weight`. Overwrites `gradWeight`.
public func conv2dBackwardWeight(_ s: Conv2DShape, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                                 gradWeight: UnsafeMutablePointer<Float>) {
    conv2dBackwardWeightReference(s, input: input, gradOutput: gradOutput, gradWeight: gradWeight)
}

/// Naive direct convolution (the reference the fast kernel is tested against).
public func conv2dForwardReference(_ s: Conv2DShape, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                   bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
    let oh = s.outHeight, ow = s.outWidth
    for n in 0..<s.batch {
        for co in 0..<s.outChannels {
            for y in 0..<oh {
                for x in 0..<ow {
                    var acc: Float = bias?[co] ?? 0
                    for ci in 0..<s.inChannels {
                        for i in 0..<s.kernelHeight {
                            let iy = y * s.strideH - s.padH + i
                            if iy < 0 || iy >= s.height { continue }
                            for j in 0..<s.kernelWidth {
                                let ix = x * s.strideW - s.padW + j
                                if ix < 0 || ix >= s.width { continue }
                                acc += input[((n * s.inChannels + ci) * s.height + iy) * s.width + ix]
                                    * weight[((co * s.inChannels + ci) * s.kernelHeight + i) * s.kernelWidth + j]
                            }
                        }
                    }
                    output[((n * s.outChannels + co) * oh + y) * ow + x] = acc
                }
            }
        }
    }
}

public func conv2dBackwardInputReference(_ s: Conv2DShape, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                         gradInput: UnsafeMutablePointer<Float>) {
    let oh = s.outHeight, ow = s.outWidth
    gradInput.update(repeating: 0, count: s.batch * s.inChannels * s.height * s.width)
    for n in 0..<s.batch {
        for co in 0..<s.outChannels {
            for y in 0..<oh {
                for x in 0..<ow {
                    let g = gradOutput[((n * s.outChannels + co) * oh + y) * ow + x]
                    for ci in 0..<s.inChannels {
                        for i in 0..<s.kernelHeight {
                            let iy = y * s.strideH - s.padH + i
                            if iy < 0 || iy >= s.height { continue }
                            for j in 0..<s.kernelWidth {
                                let ix = x * s.strideW - s.padW + j
                                if ix < 0 || ix >= s.width { continue }
                                gradInput[((n * s.inChannels + ci) * s.height + iy) * s.width + ix] +=
                                    g * weight[((co * s.inChannels + ci) * s.kernelHeight + i) * s.kernelWidth + j]
                            }
                        }
                    }
                }
            }
        }
    }
}

public func conv2dBackwardWeightReference(_ s: Conv2DShape, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                                          gradWeight: UnsafeMutablePointer<Float>) {
    let oh = s.outHeight, ow = s.outWidth
    gradWeight.update(repeating: 0, count: s.outChannels * s.inChannels * s.kernelHeight * s.kernelWidth)
    for n in 0..<s.batch {
        for co in 0..<s.outChannels {
            for y in 0..<oh {
                for x in 0..<ow {
                    let g = gradOutput[((n * s.outChannels + co) * oh + y) * ow + x]
                    for ci in 0..<s.inChannels {
                        for i in 0..<s.kernelHeight {
                            let iy = y * s.strideH - s.padH + i
                            if iy < 0 || iy >= s.height { continue }
                            for j in 0..<s.kernelWidth {
                                let ix = x * s.strideW - s.padW + j
                                if ix < 0 || ix >= s.width { continue }
                                gradWeight[((co * s.inChannels + ci) * s.kernelHeight + i) * s.kernelWidth + j] +=
                                    g * input[((n * s.inChannels + ci) * s.height + iy) * s.width + ix]
                            }
                        }
                    }
                }
            }
        }
    }
}
