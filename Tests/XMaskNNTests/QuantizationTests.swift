import Foundation
import Testing
import XMaskNN
import XMaskTensor

@Suite struct QuantizationTests {
    @Test func maxAbsWeightLevelsByHand() throws {
        // max|w| = 1.4 → s = 1.4/7 = 0.2; levels round(w/s) half to even: 0.1/0.2 = 0.5 → 0, 0.3/0.2 = 1.5 → 2.
        let w = Tensor(shape: [2, 3], scalars: [1.4, -1.4, 0.1, 0.3, -0.5, 0.05])
        let q = WeightQuantizer(bits: 4)
        let levels = q.levels(of: w)
        #expect(levels.scale == Float(1.4) / 7)
        #expect(levels.int8Levels == [7, -7, 0, 2, -2, 0])
        #expect(q(w).scalars == levels.dequantized().scalars)
        #expect(levels.dequantized().scalars[3] == 2 * (Float(1.4) / 7))
    }

    @Test func weightQuantizerUsesAtMostFifteenLevels() {
        var rng = SeededGenerator(seed: 11)
        let w = Tensor.normal([64, 16, 3, 3], using: &rng)
        let levels = WeightQuantizer(bits: 4).levels(of: w)
        #expect(Set(levels.levels).isSubset(of: Set((-7...7).map(Int16.init))))
        // The largest |w| is exactly level ±7; a normal sample of 9216 fills the other levels
        // (−7 or 7 on the other side may be missing).
        #expect(Set(levels.levels).count >= 14)
        #expect(levels.levels.contains(7) || levels.levels.contains(-7))
    }

    @Test func weightQuantizerGradientIsStraightThrough() {
        // Relaxed path of Q is the identity: ∂⟨Q(w), r⟩/∂w = r.
        var rng = SeededGenerator(seed: 12)
        let w = Tensor.normal([4, 5], using: &rng), r = Tensor.normal([4, 5], using: &rng)
        let q = WeightQuantizer(bits: 4)
        let (_, g) = valueAndGradient(at: w) { weightedSum(q($0), r) }
        #expect(g.scalars == r.scalars)
    }

    @Test func pactForwardByHand() {
        // α = 3, 2 bits: 3 steps of 1. x = −1 → 0, 0.4 → 0, 0.5 → 0 (half to even), 1.5 → 2, 2.6 → 3, 7 → 3.
        let pact = ActivationQuantizer(bits: 2, initialAlpha: 3)
        let y = pact(Tensor([-1, 0.4, 0.5, 1.5, 2.6, 7]))
        #expect(y.scalars == [0, 0, 0, 2, 3, 3])
    }

    @Test func pactGradientsMatchRelaxedPath() {
        // Relaxed path: clamp(x, 0, α). Inputs kept away from the kinks at 0 and α.
        var rng = SeededGenerator(seed: 13)
        let alpha: Float = 1.7
        let x = Tensor(shape: [3, 4], scalars: [-0.8, 0.3, 1.2, 2.5, 0.9, -0.2, 3.1, 1.1, 0.05, 1.9, 0.6, 1.5])
        let r = Tensor.normal([3, 4], using: &rng)
        let pact = ActivationQuantizer(bits: 4, initialAlpha: alpha)
        // Gradient w.r.t. x and α through the quantizer.
        let (_, g) = valueAndGradient(at: [x, Tensor(alpha)]) { v in
            pact.alpha.value = v[1]
            defer { pact.alpha.value = Tensor(alpha) }
            return weightedSum(pact(v[0]), r)
        }
        func relaxed(_ x: Tensor, _ a: Float) -> Tensor {
            Tensor(shape: x.shape, scalars: x.scalars.map { min(max($0, 0), a) })
        }
        let gx = numericalGradient(x) { weightedSum(relaxed($0, alpha), r) }
        let ga = numericalGradient(Tensor(alpha)) { weightedSum(relaxed(x, $0.item), r) }
        expectClose(g[0], gx, rtol: 1e-3, atol: 1e-3, "∂/∂x")
        expectClose(g[1], ga, rtol: 1e-3, atol: 1e-3, "∂/∂α")
        // PACT eq. 3 by hand: ∂/∂α = Σ r where x ≥ α (2.5, 3.1, 1.9 here).
        let byHand = [3, 6, 9].reduce(Float(0)) { $0 + r.scalars[$1] }
        #expect(abs(g[1].item - byHand) < 1e-5)
    }

    @Test func lsqGradientsByHand() {
        // 2 bits → Q_P = 1; s = 0.5; w = [0.3, −0.2, 1.0]: w/s = [0.6, −0.4, 2 → clamp 1].
        // ∂/∂w = [1, 1, 0]; ∂/∂s = g·Σ r·(round(v) − v inside, Q_P outside), g = 1/√(3·1).
        let q = WeightQuantizer(bits: 2, mode: .learned)
        q.scale!.value = Tensor(0.5)
        let w = Tensor([0.3, -0.2, 1.0]), r = Tensor([1.0, 2.0, 3.0])
        #expect(q(w).scalars == [0.5, 0, 0.5])
        let (_, g) = valueAndGradient(at: [w, Tensor(0.5)]) { v in
            q.scale!.value = v[1]
            defer { q.scale!.value = Tensor(0.5) }
            return weightedSum(q(v[0]), r)
        }
        #expect(g[0].scalars == [1, 2, 0])
        let expected = (1 * (1 - 0.6) + 2 * (0 - -0.4) + 3 * 1) / Float(3).squareRoot()
        #expect(abs(g[1].item - expected) < 1e-5)
    }

    @Test func lsqInitialStep() {
        let w = Tensor([0.5, -1.0, 1.5, -2.0])  // mean |w| = 1.25
        let q = WeightQuantizer(bits: 4, mode: .learned, initialWeight: w)
        #expect(abs(q.scale!.value.item - 2 * 1.25 / Float(7).squareRoot()) < 1e-6)
    }

    @Test func configPlacesQuantizersAsDocumented() throws {
        var rng = SeededGenerator(seed: 14)
        let model = ResNet.resnet20(shortcut: .b, using: &rng)
        try model.quantize(QuantizationConfig(firstLayerBits: 8, lastLayerBits: QuantizationConfig.fullPrecision))
        let convs = model.convolutions
        #expect(convs.first?.key == "conv1")
        #expect(convs[0].layer.weightQuantizer?.bits == 8 && convs[0].layer.inputQuantizer == nil)
        for (key, conv) in convs.dropFirst() {
            #expect(conv.weightQuantizer?.bits == 4 && conv.inputQuantizer?.bits == 4, "\(key)")
        }
        #expect(model.fc.weightQuantizer == nil && model.fc.inputQuantizer == nil)
        #expect(convs[1].layer.quantizedLevels()?.bits == 4)
        model.removeQuantization()
        #expect(model.convolutions.allSatisfy { $0.layer.weightQuantizer == nil && $0.layer.inputQuantizer == nil })
    }

    @Test func configValidation() {
        #expect(throws: QuantizationConfigError.invalidBits(field: "weightBits", value: 1)) {
            try QuantizationConfig(weightBits: 1).validate()
        }
        #expect(throws: QuantizationConfigError.invalidBits(field: "lastLayerBits", value: 20)) {
            try QuantizationConfig(lastLayerBits: 20).validate()
        }
        #expect(throws: QuantizationConfigError.invalidAlpha(0)) { try QuantizationConfig(initialAlpha: 0).validate() }
        #expect(throws: Never.self) { try QuantizationConfig().validate() }
    }

    @Test func levelsOfAQuantizedModelReproduceItsWeights() throws {
        var rng = SeededGenerator(seed: 15)
        let model = ResNet.resnet20(using: &rng)
        try model.quantize(QuantizationConfig())
        for (key, conv) in model.convolutions {
            let levels = try #require(conv.quantizedLevels(), "\(key)")
            #expect(levels.dequantized().scalars == conv.effectiveWeight().scalars, "\(key)")
            #expect(levels.levels.allSatisfy { abs(Int($0)) <= (1 << (levels.bits - 1)) - 1 })
        }
    }
}
