import Testing
@testable import XMaskTensor

/// Fast im2col / col2im against their per-element reference loops.
@Suite struct Im2colTests {
    static let geometries: [ConvGeometry] = [
        ConvGeometry(channels: 1, height: 5, width: 5, kernelHeight: 3, kernelWidth: 3, padH: 1, padW: 1),
        ConvGeometry(channels: 3, height: 7, width: 9, kernelHeight: 3, kernelWidth: 3, strideH: 2, strideW: 2, padH: 1, padW: 1),
        ConvGeometry(channels: 2, height: 6, width: 11, kernelHeight: 5, kernelWidth: 3, strideH: 1, strideW: 3, padH: 2, padW: 0),
        ConvGeometry(channels: 4, height: 8, width: 8, kernelHeight: 1, kernelWidth: 1, strideH: 2, strideW: 2),
        ConvGeometry(channels: 2, height: 4, width: 3, kernelHeight: 2, kernelWidth: 2, padH: 3, padW: 3),
        ConvGeometry(channels: 3, height: 5, width: 4, kernelHeight: 5, kernelWidth: 4),
        ConvGeometry(channels: 2, height: 1, width: 7, kernelHeight: 1, kernelWidth: 3, strideW: 2, padW: 2),
        // Rows longer than 16 and 32 floats (several SIMD steps per row), strides 1 and 2.
        ConvGeometry(channels: 2, height: 5, width: 37, kernelHeight: 3, kernelWidth: 3, padH: 1, padW: 1),
        ConvGeometry(channels: 2, height: 6, width: 70, kernelHeight: 3, kernelWidth: 3, strideH: 2, strideW: 2, padH: 1, padW: 1),
    ]

    static func random(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: -1...1, using: &rng) }
    }

    @Test(arguments: geometries)
    func im2colMatchesReference(_ g: ConvGeometry) {
        let image = Self.random(g.channels * g.height * g.width, seed: 3)
        let count = g.patchSize * g.outHeight * g.outWidth
        var fast = [Float](repeating: .nan, count: count), slow = [Float](repeating: .nan, count: count)
        im2col(g, image: image, col: &fast)
        im2colReference(g, image: image, col: &slow)
        #expect(fast == slow)
    }

    @Test(arguments: SIMDPath.supported, geometries)
    func col2imMatchesReferenceAndIsTheAdjoint(_ path: SIMDPath, _ g: ConvGeometry) {
        let count = g.patchSize * g.outHeight * g.outWidth
        let col = Self.random(count, seed: 4)
        let start = Self.random(g.channels * g.height * g.width, seed: 5)
        var slow = start
        col2imReference(g, col: col, image: &slow)
        var fast = start
        col2im(path: path, g, col: col, image: &fast)
        let worst = zip(fast, slow).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? 0
        #expect(worst <= 1e-5, "\(path): error \(worst)")

        // ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩
        let x = Self.random(g.channels * g.height * g.width, seed: 6)
        var unrolled = [Float](repeating: 0, count: count)
        im2col(g, image: x, col: &unrolled)
        var folded = [Float](repeating: 0, count: x.count)
        col2im(path: path, g, col: col, image: &folded)
        let lhs = zip(unrolled, col).reduce(Double(0)) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(x, folded).reduce(Double(0)) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(lhs - rhs) <= 1e-4 * (1 + abs(lhs)))
    }

    @Test func validColumnsBoundTheImage() {
        for g in Self.geometries {
            for kj in 0..<g.kernelWidth {
                let (x0, x1) = g.validColumns(kj)
                for x in 0..<g.outWidth {
                    let ix = x * g.strideW - g.padW + kj
                    #expect((x >= x0 && x < x1) == (ix >= 0 && ix < g.width))
                }
            }
        }
    }
}
