import Testing
@testable import XMaskTensor

@Suite struct ConvolutionGradientTests {
    @Test(arguments: [(1, 0), (1, 1), (2, 1), (2, 0)]) func conv(_ stride: Int, _ padding: Int) {
        checkGradients([randomTensor([2, 3, 5, 5], seed: 1), randomTensor([4, 3, 3, 3], seed: 2), randomTensor([4], seed: 3)]) {
            conv2d($0[0], $0[1], bias: $0[2], stride: stride, padding: padding)
        }
    }
    @Test func pointwiseWithoutBias() {
        checkGradients([randomTensor([2, 5, 3, 4], seed: 4), randomTensor([2, 5, 1, 1], seed: 5)]) { conv2d($0[0], $0[1]) }
    }
}

@Suite struct PoolingGradientTests {
    @Test func maxPool() {
        let x = Tensor(shape: [1, 1, 2, 4], scalars: [1, 3, 2, 0, 4, 2, 8, 1])
        #expect(maxPool2d(x, kernelSize: 2, stride: 2).scalars == [4, 8])
        // Distinct values 0.05 apart, so a ±0.01 probe never changes a window's argmax.
        var rng = SeededGenerator(seed: 1)
        let values = (0..<100).map { Float($0) * 0.05 - 2.5 }.shuffled(using: &rng)
        checkGradients([Tensor(shape: [2, 2, 5, 5], scalars: values)]) { maxPool2d($0[0], kernelSize: 3, stride: 2, padding: 1) }
    }
    @Test func avgPool() {
        checkGradients([randomTensor([2, 2, 4, 4], seed: 2)]) { avgPool2d($0[0], kernelSize: 2, stride: 2) }
        checkGradients([randomTensor([1, 2, 4, 5], seed: 3)]) { avgPool2d($0[0], kernelSize: 3, stride: 1, padding: 1) }
    }
    @Test func globalAvgPool() { checkGradients([randomTensor([2, 3, 3, 2], seed: 4)]) { globalAvgPool2d($0[0]) } }
}

@Suite struct NormalizationGradientTests {
    @Test(arguments: [[4, 3, 2, 2], [5, 3]]) func batchNormTraining(_ shape: [Int]) {
        checkGradients([randomTensor(shape, seed: 1, hi: 2), randomTensor([3], seed: 2), randomTensor([3], seed: 3)], tolerance: 3e-2) {
            batchNorm($0[0], scale: $0[1], offset: $0[2]).output
        }
    }
    @Test func batchNormStatistics() {
        let x = Tensor(shape: [2, 1, 1, 2], scalars: [1, 2, 3, 6])
        let r = batchNorm(x, scale: Tensor([1]), offset: Tensor([0]))
        #expect(r.mean.scalars == [3])
        #expect(r.variance.scalars == [3.5])
    }
    @Test func batchNormEvaluation() {
        let mean = Tensor([0.1, -0.2, 0.3]), variance = Tensor([0.5, 1.5, 2])
        checkGradients([randomTensor([2, 3, 2, 2], seed: 4), randomTensor([3], seed: 5), randomTensor([3], seed: 6)]) {
            batchNorm($0[0], scale: $0[1], offset: $0[2], runningMean: mean, runningVariance: variance)
        }
    }

    /// Untracked evaluation-mode batch norm takes a fused per-channel pass (on every thread); it
    /// must give the bits of the tracked expression, on one and on two threads.
    @Test(arguments: [1, 2]) func batchNormEvaluationFusedMatchesTracked(threads: Int) {
        let x = randomTensor([3, 4, 5, 7], seed: 7), scale = randomTensor([4], seed: 8), offset = randomTensor([4], seed: 9)
        let mean = Tensor([0.1, -0.2, 0.3, 0]), variance = Tensor([0.5, 1.5, 2, 0.25])
        let fused = Parallelism.$threadCount.withValue(threads) {
            batchNorm(x, scale: scale, offset: offset, runningMean: mean, runningVariance: variance)
        }
        let r = randomTensor([3, 4, 5, 7], seed: 10)
        let (tracked, _) = valueAndPullback(at: [x], cotangent: r) {
            batchNorm($0[0], scale: scale, offset: offset, runningMean: mean, runningVariance: variance)
        }
        #expect(fused.shape == tracked.shape && fused.scalars == tracked.scalars)
    }
}

@Suite struct LossGradientTests {
    @Test func logSoftmaxRowsNormalise() {
        let y = logSoftmax(randomTensor([3, 5], seed: 1, hi: 4))
        for r in 0..<3 {
            let s = (0..<5).map { Foundation.exp(Double(y.scalars[r * 5 + $0])) }.reduce(0, +)
            #expect(abs(s - 1) < 1e-5)
        }
        checkGradients([randomTensor([3, 5], seed: 2, hi: 3)]) { logSoftmax($0[0]) }
        checkGradients([randomTensor([3, 5], seed: 3, hi: 3)]) { logSoftmax($0[0], axis: 0) }
    }
    @Test(arguments: [Float(0), 0.1]) func crossEntropyLoss(_ smoothing: Float) {
        checkGradients([randomTensor([4, 5], seed: 4, hi: 3)]) { crossEntropy(logits: $0[0], labels: [0, 4, 2, 2], labelSmoothing: smoothing) }
    }
    @Test func crossEntropyOfUniformLogitsIsLogC() {
        let l = crossEntropy(logits: Tensor.zeros([2, 10]), labels: [3, 7])
        #expect(abs(l.item - Foundation.log(10)) < 1e-5)
    }
}

import Foundation

@Suite struct QuantizationOpTests {
    @Test func pactQuantizeValues() {
        let x = Tensor([-1, 0.1, 0.26, 0.5, 0.74, 1.2])
        // α = 1, 4 levels: step 0.25; 0.5/0.25 = 2 exactly; 0.26 → 1 step; 0.74 → 3 steps.
        #expect(pactQuantize(x, alpha: Tensor(1), levels: 4).scalars == [0, 0, 0.25, 0.5, 0.75, 1])
    }
    @Test func pactGradientsAreStraightThrough() {
        let x = Tensor([-0.5, 0.2, 0.6, 1.0, 1.4])
        let (_, g) = valueAndPullback(at: [x, Tensor(1)], cotangent: Tensor([1, 2, 3, 4, 5])) {
            pactQuantize($0[0], alpha: $0[1], levels: 15)
        }
        #expect(g[0].scalars == [0, 2, 3, 4, 0])   // inside [0, α], including x = α
        #expect(g[1].scalars == [9])                // Σ g where x ≥ α
    }
    @Test func pactSplitsLargeTensorsAcrossThreadsWithTheSameResult() {
        var rng = SeededGenerator(seed: 4)
        let x = Tensor.normal([200_000], using: &rng)
        let one = Parallelism.$threadCount.withValue(1) { pactQuantize(x, alpha: Tensor(1.5), levels: 15) }
        let two = Parallelism.$threadCount.withValue(2) { pactQuantize(x, alpha: Tensor(1.5), levels: 15) }
        #expect(one == two)
    }
}
