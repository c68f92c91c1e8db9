/// 2-D convolution (cross-correlation, as PyTorch's `conv2d`), NCHW.
///
/// `input: [N, Cin, H, W]`, `weight: [Cout, Cin, kh, kw]`, `bias: [Cout]` →
/// `[N, Cout, (H + 2p − kh)/s + 1, (W + 2p − kw)/s + 1]`. A fused primitive (im2col + SGEMM in
/// the kernels) with gradients for input, weight and bias.
public func conv2d(_ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
    precondition(input.rank == 4 && weight.rank == 4,
                 "conv2d: input \(input.shape) and weight \(weight.shape) must both be rank 4 (NCHW, OIHW)")
    precondition(input.shape[1] == weight.shape[1],
                 "conv2d: input \(input.shape) has \(input.shape[1]) channels, weight \(weight.shape) expects \(weight.shape[1])")
    precondition(stride > 0 && padding >= 0, "conv2d: stride \(stride) and padding \(padding) must be > 0 and ≥ 0")
    if let bias {
        precondition(bias.shape == [weight.shape[0]], "conv2d: bias \(bias.shape) does not match \(weight.shape[0]) output channels")
    }
    let s = Conv2DShape(batch: input.shape[0], inChannels: input.shape[1], height: input.shape[2], width: input.shape[3],
                        outChannels: weight.shape[0], kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
                        strideH: stride, strideW: stride, padH: padding, padW: padding)
    precondition(input.shape[2] + 2 * padding >= weight.shape[2] && input.shape[3] + 2 * padding >= weight.shape[3],
                 "conv2d: kernel \(weight.shape) larger than padded input \(input.shape) (padding \(padding))")
    let outShape = [s.batch, s.outChannels, s.outHeight, s.outWidth]
    let out = [Float](unsafeUninitializedCapacity: outShape.reduce(1, *)) { buf, count in
        input.scalars.withUnsafeBufferPointer { pi in
            weight.scalars.withUnsafeBufferPointer { pw in
                if let bias {
                    bias.scalars.withUnsafeBufferPointer { pb in
                        conv2dForward(s, input: pi.baseAddress!, weight: pw.baseAddress!, bias: pb.baseAddress!, output: buf.baseAddress!)
                    }
                } else {
                    conv2dForward(s, input: pi.baseAddress!, weight: pw.baseAddress!, bias: nil, output: buf.baseAddress!)
                }
            }
        }
        count = outShape.reduce(1, *)
    }
    let xd = input.detached(), wd = weight.detached()
    let needX = input.isTracked, needW = weight.isTracked, needB = bias?.isTracked ?? false
    var inputs = [input, weight]
    if let bias { inputs.append(bias) }
    let hasBias = bias != nil
    return Tensor.record("conv2d", shape: outShape, scalars: out, inputs: inputs) { g in
        var gx: Tensor?, gw: Tensor?, gb: Tensor?
        g.scalars.withUnsafeBufferPointer { pg in
            if needX {
                let n = xd.count
                let buf = [Float](unsafeUninitializedCapacity: n) { b, c in
                    wd.scalars.withUnsafeBufferPointer { pw in
                        conv2dBackwardInput(s, gradOutput: pg.baseAddress!, weight: pw.baseAddress!, gradInput: b.baseAddress!)
                    }
                    c = n
                }
                gx = Tensor(shape: xd.shape, scalars: buf)
            }
            if needW {
                let n = wd.count
                let buf = [Float](unsafeUninitializedCapacity: n) { b, c in
                    xd.scalars.withUnsafeBufferPointer { px in
                        conv2dBackwardWeight(s, input: px.baseAddress!, gradOutput: pg.baseAddress!, gradWeight: b.baseAddress!)
                    }
                    c = n
                }
                gw = Tensor(shape: wd.shape, scalars: buf)
            }
        }
        if needB {
            gb = g.summedToShape([1, s.outChannels, 1, 1]).reshapedPlain([s.outChannels])
        }
        return hasBias ? [gx, gw, gb] : [gx, gw]
    }
}

extension Tensor {
    /// Same elements, new shape, never recorded (pullback helper).
    func reshapedPlain(_ newShape: [Int]) -> Tensor { Tensor(shape: newShape, scalars: scalars) }
}
