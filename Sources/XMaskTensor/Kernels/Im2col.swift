/// Geometry of a 2-D convolution on one image (NCHW, no dilation, no groups).
public struct ConvGeometry: Equatable, Sendable {
    public var channels, height, width: Int
    public var kernelHeight, kernelWidth: Int
    public var strideH, strideW: Int
    public var padH, padW: Int

    public init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                strideH: Int = 1, strideW: Int = 1, padH: Int = 0, padW: Int = 0) {
        self.channels = channels; self.height = height; self.width = width
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideH = strideH; self.strideW = strideW; self.padH = padH; self.padW = padW
    }

    public var outHeight: Int { (height + 2 * padH - kernelHeight) / strideH + 1 }
    public var outWidth: Int { (width + 2 * padW - kernelWidth) / strideW + 1 }
    /// Rows of the unrolled matrix: `channels · kh · kw` (cin-major, then kh, kw).
    public var patchSize: Int { channels * kernelHeight * kernelWidth }
}

/// Unrolls one image `[C, H, W]` into `col[C·kh·kw, outH·outW]` (row `(c·kh + i)·kw + j`).
public func im2col(_ g: ConvGeometry, image: UnsafePointer<Float>, col: UnsafeMutablePointer<Float>) {
    let oh = g.outHeight, ow = g.outWidth
    for c in 0..<g.channels {
        for ki in 0..<g.kernelHeight {
            for kj in 0..<g.kernelWidth {
                let row = (c * g.kernelHeight + ki) * g.kernelWidth + kj
                let dst = col + row * oh * ow
                for y in 0..<oh {
                    let iy = y * g.strideH - g.padH + ki
                    for x in 0..<ow {
                        let ix = x * g.strideW - g.padW + kj
                        dst[y * ow + x] = (iy >= 0 && iy < g.height && ix >= 0 && ix < g.width)
                            ? image[(c * g.height + iy) * g.width + ix] : 0
                    }
                }
            }
        }
    }
}

/// Adds `col[C·kh·kw, outH·outW]` back into `image[C, H, W]` (the adjoint of ``im2col``).
/// `image` is accumulated into, not overwritten.
public func col2im(_ g: ConvGeometry, col: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>) {
    let oh = g.outHeight, ow = g.outWidth
    for c in 0..<g.channels {
        for ki in 0..<g.kernelHeight {
            for kj in 0..<g.kernelWidth {
                let row = (c * g.kernelHeight + ki) * g.kernelWidth + kj
                let src = col + row * oh * ow
                for y in 0..<oh {
                    let iy = y * g.strideH - g.padH + ki
                    guard iy >= 0 && iy < g.height else { continue }
                    for x in 0..<ow {
                        let ix = x * g.strideW - g.padW + kj
                        if ix >= 0 && ix < g.width { image[(c * g.height + iy) * g.width + ix] += src[y * ow + x] }
                    }
                }
            }
        }
    }
}
