import Foundation
import Testing
import XMaskNN
import XMaskTensor

@Suite struct LayerTests {
    @Test func batchNormRunningStatisticsAsPyTorch() {
        // One channel, n = 4 values [1, 2, 3, 6]: mean 3, biased variance 3.5, unbiased 14/3.
        let bn = BatchNorm2d(1)
        let x = Tensor(shape: [2, 1, 1, 2], scalars: [1, 2, 3, 6])
        let y = bn(x)
        #expect(abs(bn.runningMean.value.item - 0.3) < 1e-6)                  // 0.9·0 + 0.1·3
        #expect(abs(bn.runningVariance.value.item - (0.9 + 0.1 * 14 / 3)) < 1e-6) // 0.9·1 + 0.1·14/3
        #expect(bn.batchesTracked.value.item == 1)
        let inv = 1 / (Float(3.5) + 1e-5).squareRoot()
        expectClose(y, Tensor(shape: [2, 1, 1, 2], scalars: [-2 * inv, -inv, 0, 3 * inv]), rtol: 1e-5, "normalised")
        _ = bn(x)
        #expect(abs(bn.runningMean.value.item - (0.9 * 0.3 + 0.3)) < 1e-6)
        #expect(bn.batchesTracked.value.item == 2)
        // Evaluation uses the running statistics and leaves them alone.
        bn.setTraining(false)
        let m = bn.runningMean.value.item, v = bn.runningVariance.value.item
        let z = bn(Tensor(shape: [1, 1, 1, 1], scalars: [1]))
        #expect(abs(z.item - (1 - m) / (v + 1e-5).squareRoot()) < 1e-6)
        #expect(bn.runningMean.value.item == m && bn.batchesTracked.value.item == 2)
    }

    @Test func batchNormCanFreezeStatistics() {
        let bn = BatchNorm2d(2)
        bn.updatesRunningStatistics = false
        _ = bn(Tensor(shape: [2, 2, 1, 1], scalars: [1, 2, 3, 4]))
        #expect(bn.runningMean.value.scalars == [0, 0] && bn.batchesTracked.value.item == 0)
    }

    @Test func linearMatchesHandComputation() {
        let fc = Linear(weight: Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), bias: Tensor([0.5, -1]))
        let y = fc(Tensor(shape: [1, 3], scalars: [1, 0, -1]))
        let expected: [Float] = [-1.5, -3]  // [1 − 3 + 0.5, 4 − 6 − 1]
        #expect(y.scalars == expected)
    }

    @Test func linearGradientCheck() {
        var rng = SeededGenerator(seed: 21)
        let fc = Linear(4, 3, using: &rng)
        let x = Tensor.normal([2, 4], using: &rng), r = Tensor.normal([2, 3], using: &rng)
        let (_, g) = valueAndGradient(of: fc, parameters: [fc.weight, fc.bias!]) { weightedSum(fc(x), r) }
        let w0 = fc.weight.value, b0 = fc.bias!.value
        let gw = numericalGradient(w0) { w in
            fc.weight.value = w
            defer { fc.weight.value = w0 }
            return weightedSum(fc(x), r)
        }
        let gb = numericalGradient(b0) { b in
            fc.bias!.value = b
            defer { fc.bias!.value = b0 }
            return weightedSum(fc(x), r)
        }
        expectClose(g[0], gw, rtol: 1e-2, atol: 1e-3, "∂/∂W")
        expectClose(g[1], gb, rtol: 1e-2, atol: 1e-3, "∂/∂b")
    }

    @Test func convInitialisationScales() {
        var rng = SeededGenerator(seed: 22)
        let conv = Conv2d(64, 128, kernelSize: 3, using: &rng)
        let w = conv.weight.value.scalars
        let std = (w.reduce(0) { $0 + $1 * $1 } / Float(w.count)).squareRoot()
        #expect(abs(std - (2 / Float(128 * 9)).squareRoot()) < 0.002)  // Kaiming fan-out
        #expect(conv.bias == nil)
        let fc = Linear(100, 10, using: &rng)
        #expect(fc.weight.value.scalars.allSatisfy { abs($0) <= 0.1 })  // U(−1/√100, 1/√100)
    }

    @Test func weightTransformSeesQuantizedWeightAndFeedsConvolution() throws {
        var rng = SeededGenerator(seed: 23)
        let conv = Conv2d(2, 3, kernelSize: 3, padding: 1, using: &rng)
        conv.weightQuantizer = WeightQuantizer(bits: 4)
        var seen: Tensor?
        conv.weightTransform = { w in
            seen = w
            return w * 0
        }
        let y = conv(Tensor.normal([1, 2, 4, 4], using: &rng))
        #expect(y.scalars.allSatisfy { $0 == 0 })
        let levels = try #require(conv.quantizedLevels())
        #expect(seen?.scalars == levels.dequantized().scalars)
    }

    @Test func sequentialKeysAndOrder() {
        var rng = SeededGenerator(seed: 24)
        let seq = Sequential(Conv2d(1, 2, kernelSize: 1, using: &rng), BatchNorm2d(2), ReLU(), Flatten())
        #expect(seq.namedParameters().map(\.key) == [
            "0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
        ])
        #expect(seq(Tensor.ones([3, 1, 2, 2])).shape == [3, 8])
    }

    @Test func poolingLayersShapes() {
        let x = Tensor.ones([2, 3, 8, 8])
        #expect(MaxPool2d(kernelSize: 3, stride: 2, padding: 1)(x).shape == [2, 3, 4, 4])
        #expect(AvgPool2d(kernelSize: 2)(x).shape == [2, 3, 4, 4])
        #expect(GlobalAvgPool()(x).shape == [2, 3])
        #expect(Identity()(x).scalars == x.scalars)
    }
}
