/// Per-channel normalisation `(v − mean[c]) / standardDeviation[c]`, applied after byte pixels
/// are scaled to [0, 1] (float pixels are taken as they are). One value applies to every channel.
public struct Normalization: Sendable, Equatable {
    public let mean: [Float]
    public let standardDeviation: [Float]

    /// - Precondition: equal, non-zero counts; every standard deviation positive.
    public init(mean: [Float], standardDeviation: [Float]) {
        precondition(!mean.isEmpty && mean.count == standardDeviation.count,
                     "Normalization: \(mean.count) means and \(standardDeviation.count) standard deviations")
        precondition(standardDeviation.allSatisfy { $0 > 0 }, "Normalization: standard deviations \(standardDeviation) must be positive")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Scaling to [0, 1] only.
    public static let none = Normalization(mean: [0], standardDeviation: [1])

    /// The per-channel mean and (population) standard deviation of `dataset`'s pixels on the
    /// [0, 1] scale — compute it on the training split and reuse it for the test split. A
    /// constant channel gets standard deviation 1.
    public static func computed(from dataset: Dataset) -> Normalization {
        let c = dataset.channels, plane = dataset.height * dataset.width
        var sums = [Double](repeating: 0, count: c), squares = [Double](repeating: 0, count: c)
        func accumulate<T: PixelValue>(_ v: [T], scale: Double) {
            for i in 0..<dataset.count {
                for k in 0..<c {
                    let start = (i * c + k) * plane
                    var s: Double = 0, q: Double = 0
                    for j in start..<(start + plane) {
                        let x = Double(v[j].floatValue) * scale
                        s += x
                        q += x * x
                    }
                    sums[k] += s
                    squares[k] += q
                }
            }
        }
        switch dataset.pixels {
        case .uint8(let v): accumulate(v, scale: 1.0 / 255)
        case .float(let v): accumulate(v, scale: 1)
        }
        let n = Double(max(dataset.count * plane, 1))
        let mean = sums.map { $0 / n }
        let std = zip(squares, mean).map { q, m in
            let variance = max(q / n - m * m, 0)
            return variance > 1e-12 ? variance.squareRoot() : 1
        }
        return Normalization(mean: mean.map { Float($0) }, standardDeviation: std.map { Float($0) })
    }

    /// Mean and standard deviation for output channel `c` of `channels`.
    func parameters(channel c: Int, of channels: Int) -> (mean: Float, std: Float) {
        precondition(mean.count == 1 || mean.count == channels,
                     "Normalization: \(mean.count) channels given for \(channels)-channel images")
        let k = mean.count == 1 ? 0 : c
        return (mean[k], standardDeviation[k])
    }
}
