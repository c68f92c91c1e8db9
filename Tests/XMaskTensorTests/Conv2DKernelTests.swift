import Testing
@testable import XMaskTensor

/// Fast convolution kernels against the naive direct loops, on one and two threads.
@Suite struct Conv2DKernelTests {
    static let shapes: [Conv2DShape] = [
        // 28×28×1 input (MNIST-like), 3×3 same padding.
        Conv2DShape(batch: 2, inChannels: 1, height: 28, width: 28, outChannels: 4, kernelHeight: 3, kernelWidth: 3,
                    padH: 1, padW: 1),
        // Cin = 3, odd sizes, stride 2.
        Conv2DShape(batch: 3, inChannels: 3, height: 9, width: 7, outChannels: 5, kernelHeight: 3, kernelWidth: 3,
                    strideH: 2, strideW: 2, padH: 1, padW: 1),
        // Pointwise (1×1, stride 1: no im2col) and the 1×1 stride-2 projection shortcut.
        Conv2DShape(batch: 3, inChannels: 6, height: 5, width: 5, outChannels: 4, kernelHeight: 1, kernelWidth: 1),
        Conv2DShape(batch: 2, inChannels: 4, height: 7, width: 7, outChannels: 6, kernelHeight: 1, kernelWidth: 1,
                    strideH: 2, strideW: 2),
        // Non-square kernel, mixed strides and paddings.
        Conv2DShape(batch: 2, inChannels: 2, height: 11, width: 6, outChannels: 3, kernelHeight: 5, kernelWidth: 3,
                    strideH: 2, strideW: 1, padH: 2, padW: 0),
        // Stride 3 across (gathers on the AVX-512 path).
        Conv2DShape(batch: 2, inChannels: 3, height: 8, width: 10, outChannels: 4, kernelHeight: 3, kernelWidth: 3,
                    strideH: 1, strideW: 3, padH: 1, padW: 1),
        // Kernel as large as the image (1×1 output).
        Conv2DShape(batch: 5, inChannels: 3, height: 4, width: 4, outChannels: 7, kernelHeight: 4, kernelWidth: 4),
        // More than 64 taps (the AVX-512 packer's generic fallback).
        Conv2DShape(batch: 2, inChannels: 1, height: 10, width: 10, outChannels: 2, kernelHeight: 9, kernelWidth: 9,
                    padH: 1, padW: 1),
        // More pixels than one cache block of columns (1600 > 1024) and of k (> 384).
        Conv2DShape(batch: 1, inChannels: 2, height: 40, width: 40, outChannels: 3, kernelHeight: 3, kernelWidth: 3,
                    padH: 1, padW: 1),
        // ResNet-like block, odd batch.
        Conv2DShape(batch: 3, inChannels: 16, height: 8, width: 8, outChannels: 16, kernelHeight: 3, kernelWidth: 3,
                    padH: 1, padW: 1),
    ]

    static func random(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: -1...1, using: &rng) }
    }

    static func expectClose(_ fast: [Float], _ slow: [Float], _ what: String) {
        #expect(fast.count == slow.count)
        let worst = zip(fast, slow).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? 0
        #expect(worst <= 1e-4, "\(what): relative error \(worst)")
    }

    static var paths: [SIMDPath] { SIMDPath.allCases.filter(\.isSupported) }

    /// Runs all three fast kernels on `path` and their references on `s`.
    static func check(_ s: Conv2DShape, path: SIMDPath = .best, label: String) {
        let label = "\(label) [\(path)]"
        let inputCount = s.batch * s.inChannels * s.height * s.width
        let outputCount = s.batch * s.outChannels * s.outHeight * s.outWidth
        let weightCount = s.outChannels * s.inChannels * s.kernelHeight * s.kernelWidth
        let input = random(inputCount, seed: 10), weight = random(weightCount, seed: 11)
        let bias = random(s.outChannels, seed: 12), gradOutput = random(outputCount, seed: 13)

        // Outputs start as NaN: every kernel overwrites its output.
        for useBias in [false, true] {
            var fast = [Float](repeating: .nan, count: outputCount), slow = fast
            bias.withUnsafeBufferPointer { b in
                conv2dForward(path: path, s, input: input, weight: weight, bias: useBias ? b.baseAddress : nil, output: &fast)
                conv2dForwardReference(s, input: input, weight: weight, bias: useBias ? b.baseAddress : nil, output: &slow)
            }
            expectClose(fast, slow, "forward bias=\(useBias) \(label)")
        }

        var fastInput = [Float](repeating: .nan, count: inputCount), slowInput = fastInput
        conv2dBackwardInput(path: path, s, gradOutput: gradOutput, weight: weight, gradInput: &fastInput)
        conv2dBackwardInputReference(s, gradOutput: gradOutput, weight: weight, gradInput: &slowInput)
        expectClose(fastInput, slowInput, "backward input \(label)")

        var fastWeight = [Float](repeating: .nan, count: weightCount), slowWeight = fastWeight
        conv2dBackwardWeight(path: path, s, input: input, gradOutput: gradOutput, gradWeight: &fastWeight)
        conv2dBackwardWeightReference(s, input: input, gradOutput: gradOutput, gradWeight: &slowWeight)
        expectClose(fastWeight, slowWeight, "backward weight \(label)")
    }

    @Test(arguments: shapes)
    func matchesReferenceOnOneThread(_ s: Conv2DShape) {
        // Every SIMD path this CPU has: each packs the im2col operand its own way.
        for path in Self.paths {
            Parallelism.$threadCount.withValue(1) { Self.check(s, path: path, label: "\(s) 1 thread") }
        }
    }

    @Test(arguments: shapes)
    func matchesReferenceOnTwoThreads(_ s: Conv2DShape) {
        // The batch is split between threads (per-thread weight-gradient sums added at the end).
        Parallelism.$threadCount.withValue(2) { Self.check(s, label: "\(s) 2 threads") }
    }

    @Test func singleImageThreadsInsideTheGEMM() {
        // Batch 1 on two threads: the GEMMs themselves are split (Cout·P·K ≈ 2.4 M multiply-adds).
        let s = Conv2DShape(batch: 1, inChannels: 32, height: 16, width: 16, outChannels: 32,
                            kernelHeight: 3, kernelWidth: 3, padH: 1, padW: 1)
        #expect(GEMMSplit(path: .best, m: 32, n: 256, k: 288, threads: 2).chunks == 2)
        Parallelism.$threadCount.withValue(2) { Self.check(s, label: "batch 1, 2 threads") }
    }

    @Test func emptyBatchZeroesTheWeightGradient() {
        let s = Conv2DShape(batch: 0, inChannels: 2, height: 4, width: 4, outChannels: 3, kernelHeight: 3, kernelWidth: 3)
        var gradWeight = [Float](repeating: .nan, count: 3 * 2 * 9)
        conv2dBackwardWeight(s, input: [], gradOutput: [], gradWeight: &gradWeight)
        #expect(gradWeight.allSatisfy { $0 == 0 })
    }
}
