import XMaskTensor

/// How ``Dataset/resized(height:width:method:)`` maps images to a new size.
public enum ResizeMethod: String, Sendable, CaseIterable {
    /// Bilinear interpolation with half-pixel centres (PyTorch `interpolate(mode: "bilinear",
    /// align_corners: False)`, OpenCV `INTER_LINEAR`), no antialiasing. The default: a small
    /// image (optdigits 8×8) then fills the model's input as the 28×28 digits of the other tasks
    /// do, rather than sitting as a dot in the middle of a 32×32 frame.
    case bilinear
    /// Zero padding around the image, centred (an odd remainder goes to the bottom/right); an
    /// axis that is too long is cropped around the centre instead. Keeps pixels unchanged
    /// (28×28 → 32×32 is the LeNet-style pad of 2).
    case centerPad
}

extension Dataset {
    /// The dataset with every image mapped to `height × width`. Byte images stay bytes
    /// (interpolated values rounded to nearest); channels are unchanged.
    public func resized(height: Int, width: Int, method: ResizeMethod = .bilinear) -> Dataset {
        precondition(height > 0 && width > 0, "resized: target \(height)×\(width) must be positive")
        if height == self.height && width == self.width { return self }
        let planes = count * channels
        let (h0, w0) = (self.height, self.width)
        let out: Pixels
        switch pixels {
        case .uint8(let v):
            out = .uint8(Self.mapPlanes(v, planes: planes, h0, w0, height, width, method))
        case .float(let v):
            out = .float(Self.mapPlanes(v, planes: planes, h0, w0, height, width, method))
        }
        return Dataset(unchecked: name, pixels: out, labels: labels, channels: channels, height: height, width: width,
                       classCount: classCount)
    }

    private static func mapPlanes<T: PixelValue>(
        _ src: [T], planes: Int, _ h0: Int, _ w0: Int, _ h: Int, _ w: Int, _ method: ResizeMethod
    ) -> [T] {
        var dst = [T](repeating: T.zero, count: planes * h * w)
        switch method {
        case .bilinear:
            let ys = bilinearTaps(from: h0, to: h), xs = bilinearTaps(from: w0, to: w)
            src.withUnsafeBufferPointer { srcBuffer in
                dst.withUnsafeMutableBufferPointer { dstBuffer in
                    guard let source = srcBuffer.baseAddress, let target = dstBuffer.baseAddress else { return }
                    let threads = planes * h * w >= 1 << 16 ? Parallelism.threadCount : 1
                    let chunk = (planes + threads - 1) / threads
                    Parallelism.forEach(threads) { t in
                        // One row of horizontally interpolated values per source row, reused by the output rows.
                        var rows = [Float](repeating: 0, count: h0 * w)
                        for p in (t * chunk)..<min(planes, (t + 1) * chunk) {
                            let s = source + p * h0 * w0, d = target + p * h * w
                            for y in 0..<h0 {
                                for x in 0..<w {
                                    let (x0, x1, fx) = xs[x]
                                    rows[y * w + x] = s[y * w0 + x0].floatValue * (1 - fx) + s[y * w0 + x1].floatValue * fx
                                }
                            }
                            for y in 0..<h {
                                let (y0, y1, fy) = ys[y]
                                for x in 0..<w {
                                    d[y * w + x] = T(interpolated: rows[y0 * w + x] * (1 - fy) + rows[y1 * w + x] * fy)
                                }
                            }
                        }
                    }
                }
            }
        case .centerPad:
            // Output (y, x) reads input (y - oy, x - ox); oy < 0 crops.
            let oy = (h - h0) >= 0 ? (h - h0) / 2 : -((h0 - h) / 2)
            let ox = (w - w0) >= 0 ? (w - w0) / 2 : -((w0 - w) / 2)
            for p in 0..<planes {
                let s = p * h0 * w0, d = p * h * w
                for y in max(0, oy)..<min(h, h0 + oy) {
                    for x in max(0, ox)..<min(w, w0 + ox) {
                        dst[d + y * w + x] = src[s + (y - oy) * w0 + (x - ox)]
                    }
                }
            }
        }
        return dst
    }

    /// For each output coordinate: the two input taps and the weight of the second, with
    /// half-pixel centres: `src = max(0, (dst + 0.5) · in/out − 0.5)`.
    static func bilinearTaps(from n0: Int, to n: Int) -> [(Int, Int, Float)] {
        let scale = Float(n0) / Float(n)
        return (0..<n).map { i in
            let s = max(0, (Float(i) + 0.5) * scale - 0.5)
            let i0 = min(Int(s), n0 - 1)
            let i1 = min(i0 + 1, n0 - 1)
            return (i0, i1, i0 == i1 ? 0 : s - Float(i0))
        }
    }
}

/// The pixel types a dataset stores.
protocol PixelValue {
    static var zero: Self { get }
    var floatValue: Float { get }
    /// An interpolated value stored back: bytes round to nearest and clamp to 0…255.
    init(interpolated value: Float)
}

extension UInt8: PixelValue {
    @inline(__always) var floatValue: Float { Float(self) }
    @inline(__always) init(interpolated value: Float) { self = UInt8(Swift.max(0, Swift.min(255, value + 0.5))) }
}

extension Float: PixelValue {
    @inline(__always) var floatValue: Float { self }
    @inline(__always) init(interpolated value: Float) { self = value }
}
