import Foundation
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
        // Output rows of 4 and 12 pixels: SIMD chunks of 8 or 16 pixels span several rows.
        Conv2DShape(batch: 3, inChannels: 5, height: 4, width: 4, outChannels: 6, kernelHeight: 3, kernelWidth: 3,
                    padH: 1, padW: 1),
        Conv2DShape(batch: 2, inChannels: 3, height: 7, width: 12, outChannels: 5, kernelHeight: 3, kernelWidth: 3,
                    padH: 1, padW: 1),
        // Stride 2 on a wide odd image (several stride-2 windows per row, both edges padded).
        Conv2DShape(batch: 2, inChannels: 2, height: 9, width: 45, outChannels: 3, kernelHeight: 3, kernelWidth: 3,
                    strideH: 2, strideW: 2, padH: 1, padW: 1),
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

    // Every SIMD path this CPU has: each packs the im2col operand its own way.
    @Test(arguments: SIMDPath.supported, shapes)
    func matchesReferenceOnOneThread(_ path: SIMDPath, _ s: Conv2DShape) {
        Parallelism.$threadCount.withValue(1) { Self.check(s, path: path, label: "\(s) 1 thread") }
    }

    @Test(arguments: SIMDPath.supported, shapes)
    func matchesReferenceOnTwoThreads(_ path: SIMDPath, _ s: Conv2DShape) {
        // The batch is cut into ranges that two threads take (per-range weight-gradient sums
        // added at the end, in range order).
        Parallelism.$threadCount.withValue(2) { Self.check(s, path: path, label: "\(s) 2 threads") }
    }

    @Test(arguments: SIMDPath.supported)
    func singleImageThreadsInsideTheGEMM(_ path: SIMDPath) {
        // Batch 1 on two threads: the GEMMs themselves are split (Cout·P·K ≈ 2.4 M multiply-adds).
        let s = Conv2DShape(batch: 1, inChannels: 32, height: 16, width: 16, outChannels: 32,
                            kernelHeight: 3, kernelWidth: 3, padH: 1, padW: 1)
        #expect(GEMMSplit(path: path, m: 32, n: 256, k: 288, threads: 2).chunks >= 2)
        Parallelism.$threadCount.withValue(2) { Self.check(s, path: path, label: "batch 1, 2 threads") }
    }

    /// The weight gradient on several threads sums one partial per range of images, and the
    /// ranges are fixed by the batch and the thread count alone: whichever thread takes which
    /// range (here: each run under a different load, the other core kept busy or not), the bits
    /// are the same. Forward and input gradient are per image, so they match 1 thread exactly.
    @Test(arguments: SIMDPath.supported)
    func bitReproducibleForAThreadCount(_ path: SIMDPath) {
        let s = Conv2DShape(batch: 24, inChannels: 8, height: 12, width: 12, outChannels: 8,
                            kernelHeight: 3, kernelWidth: 3, padH: 1, padW: 1)
        let input = Self.random(s.batch * s.inChannels * s.height * s.width, seed: 31)
        let weight = Self.random(s.outChannels * s.inChannels * 9, seed: 32)
        let gradOutput = Self.random(s.batch * s.outChannels * s.outHeight * s.outWidth, seed: 33)
        func run(threads: Int) -> (out: [Float], gi: [Float], gw: [Float]) {
            var out = [Float](repeating: 0, count: gradOutput.count), gi = [Float](repeating: 0, count: input.count)
            var gw = [Float](repeating: 0, count: weight.count)
            Parallelism.$threadCount.withValue(threads) {
                conv2dForward(path: path, s, input: input, weight: weight, bias: nil, output: &out)
                conv2dBackwardInput(path: path, s, gradOutput: gradOutput, weight: weight, gradInput: &gi)
                conv2dBackwardWeight(path: path, s, input: input, gradOutput: gradOutput, gradWeight: &gw)
            }
            return (out, gi, gw)
        }
        #expect(Parallelism.$threadCount.withValue(1) { ConvPlan(s, path: path).batchChunks } == 1)
        let single = run(threads: 1)
        let first = Parallelism.$threadCount.withValue(2) { ConvPlan(s, path: path).batchChunks }
        #expect(first == 2 * ConvPlan.chunksPerThread)
        let reference = run(threads: 2)
        #expect(reference.out == single.out && reference.gi == single.gi)
        for round in 0..<4 {
            // Rounds 1 and 3 keep a second thread spinning, so the workers take different ranges.
            let spinning = round % 2 == 1
            let again = Spinner.whileSpinning(spinning) { run(threads: 2) }
            #expect(again.out == reference.out && again.gi == reference.gi && again.gw == reference.gw,
                    "\(path) round \(round)")
        }
    }

    @Test func emptyBatchZeroesTheWeightGradient() {
        let s = Conv2DShape(batch: 0, inChannels: 2, height: 4, width: 4, outChannels: 3, kernelHeight: 3, kernelWidth: 3)
        var gradWeight = [Float](repeating: .nan, count: 3 * 2 * 9)
        conv2dBackwardWeight(s, input: [], gradOutput: [], gradWeight: &gradWeight)
        #expect(gradWeight.allSatisfy { $0 == 0 })
    }
}

/// Keeps one extra thread busy while `body` runs (to perturb which worker takes which chunk).
enum Spinner {
    static func whileSpinning<T>(_ spin: Bool, _ body: () -> T) -> T {
        guard spin else { return body() }
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var x = 0
            while !Thread.current.isCancelled { x &+= 1 }
            done.signal()
        }
        thread.start()
        let result = body()
        thread.cancel()
        done.wait()
        return result
    }
}
