import CXMaskKernels

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
///
/// Each output row segment is a zero-padded copy (a strided gather for stride > 1) of one
/// input row, so the bounds are worked out once per segment, not per element.
public func im2col(_ g: ConvGeometry, image: UnsafePointer<Float>, col: UnsafeMutablePointer<Float>) {
    let oh = g.outHeight, ow = g.outWidth
    for c in 0..<g.channels {
        let plane = image + c * g.height * g.width
        for ki in 0..<g.kernelHeight {
            for kj in 0..<g.kernelWidth {
                let row = (c * g.kernelHeight + ki) * g.kernelWidth + kj
                let (x0, x1) = g.validColumns(kj)
                let offset = kj - g.padW
                for y in 0..<oh {
                    let dst = col + row * oh * ow + y * ow
                    let iy = y * g.strideH - g.padH + ki
                    guard iy >= 0 && iy < g.height, x0 < x1 else {
                        dst.update(repeating: 0, count: ow)
                        continue
                    }
                    if x0 > 0 { dst.update(repeating: 0, count: x0) }
                    let src = plane + iy * g.width + offset
                    if g.strideW == 1 {
                        (dst + x0).update(from: src + x0, count: x1 - x0)
                    } else {
                        let sw = g.strideW
                        for x in x0..<x1 { dst[x] = src[x * sw] }
                    }
                    if x1 < ow { (dst + x1).update(repeating: 0, count: ow - x1) }
                }
            }
        }
    }
}

/// Adds `col[C·kh·kw, outH·outW]` back into `image[C, H, W]` (the adjoint of ``im2col``).
/// `image` is accumulated into, not overwritten.
///
/// In C (`xm_col2im`): masked AVX-512 or AVX2 adds (16 or 8 floats at a time) for strides 1 and 2.
public func col2im(_ g: ConvGeometry, col: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>) {
    col2im(path: .active, g, col: col, image: image)
}

/// ``col2im(_:col:image:)`` on a chosen SIMD path (tests force each one).
func col2im(path: SIMDPath, _ g: ConvGeometry, col: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>) {
    var geometry = g.cGeometry
    xm_col2im(Int32(path.rawValue), col, &geometry, image)
}

/// The naive per-element loop that ``im2col(_:image:col:)`` is tested against.
public func im2colReference(_ g: ConvGeometry, image: UnsafePointer<Float>, col: UnsafeMutablePointer<Float>) {
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

/// The naive per-element loop that ``col2im(_:col:image:)`` is tested against.
public func col2imReference(_ g: ConvGeometry, col: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>) {
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

extension ConvGeometry {
    /// The same geometry for the C kernels.
    var cGeometry: xm_conv_geometry {
        xm_conv_geometry(channels: channels, height: height, width: width, kernel_h: kernelHeight,
                         kernel_w: kernelWidth, stride_h: strideH, stride_w: strideW, pad_h: padH, pad_w: padW,
                         out_h: outHeight, out_w: outWidth)
    }

    /// The output columns `x0..<x1` whose input column `x·strideW − padW + kj` lies inside the
    /// image, for kernel column `kj` (empty when `x0 >= x1`).
    func validColumns(_ kj: Int) -> (Int, Int) {
        let ow = outWidth
        // x·sw − pw + kj ≥ 0  ⇔  x ≥ ceil((pw − kj) / sw)
        let low = padW - kj
        let x0 = low <= 0 ? 0 : (low + strideW - 1) / strideW
        // x·sw − pw + kj ≤ W − 1  ⇔  x ≤ floor((W − 1 + pw − kj) / sw)
        let high = width - 1 + padW - kj
        let x1 = high < 0 ? 0 : min(ow, high / strideW + 1)
        return (min(x0, ow), x1)
    }
}
