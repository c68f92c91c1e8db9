import Foundation
import Testing
import XMaskCrossbar
@testable import XMaskMasks
import XMaskNN
import XMaskTensor

/// The column-mask recipe's knobs: each changes what it claims, and its default is today's.
@Suite struct RecipeKnobTests {
    private func adapter(_ config: MaskConfig, seed: UInt64 = 2) -> TaskAdapter {
        var rng = SeededGenerator(seed: seed)
        let model = ResNet.resnet20(inChannels: 1, numClasses: 4, using: &rng)
        return TaskAdapter(model: model, config: config, geometry: CrossbarGeometry(), numClasses: 3, seed: seed)
    }

    @Test func constantBetaStaysAtBeta() {
        var config = MaskConfig(method: .xbm)
        config.beta = 5
        config.betaFinal = 50
        #expect(config.beta(atProgress: 0) == 5 && abs(config.beta(atProgress: 1) - 50) < 1e-4)  // geometric by default
        #expect(abs(config.beta(atProgress: 0.5) - (250 as Float).squareRoot()) < 1e-3)
        config.betaSchedule = .constant
        for t in [0, 0.3, 1.0] { #expect(config.beta(atProgress: t) == 5) }
        let a = adapter(config)
        a.setProgress(1)
        #expect(!a.columnMasks.isEmpty && a.columnMasks.allSatisfy { $0.mask.gumbel.beta == 5 })
    }

    @Test func columnMasksStartAtTheInitialValue() {
        #expect(MaskConfig(method: .xbm).columnMaskInitial == 1)
        for method in [AdaptationMethod.xbm, .xma(shiftLevels: 3), .xma2(peFraction: 0.1, shiftLevels: 3)] {
            var config = MaskConfig(method: method)
            config.columnMaskInitial = 0.05
            let masks = adapter(config).columnMasks
            #expect(masks.count == 19 && masks.allSatisfy { $0.mask.mask.value.scalars.allSatisfy { $0 == 0.05 } })
        }
    }

    /// XMA2 §3.3.1, by hand: dropped masks −2, −1.9, −1.8, −1.6, −1 span [−2, −1], so they
    /// normalise to 0, 0.1, 0.2, 0.4, 1 and round to 0, 1/8, 1/4, 1/2, 1/2; 0.5 and 0 are kept.
    @Test func minMaxRuleGivesTheHandComputedLevels() {
        let levels = ShiftLevels(count: 3)
        let m: [Float] = [-2, -1.9, 0.5, -1.8, -1.6, 0, -1]
        let expected: [Float] = [0, 0.125, 1, 0.25, 0.5, 1, 0.5]
        #expect(levels.minMaxLevels(m, dropped: m.map { $0 < 0 }) == expected)
        #expect(levels.minMaxLevels([-0.3, 1], dropped: [true, false]) == [0.5, 1])  // one dropped value: normalised to 1
        let layout = ColumnLayout(weightShape: [7, 1, 1, 1], geometry: CrossbarGeometry())
        let mask = ColumnShiftMask(layout: layout, levels: levels, gumbel: GumbelSigmoid(beta: 50), initialValue: 0, seed: 1, levelRule: .minMax)
        mask.mask.value = Tensor(shape: mask.mask.value.shape, scalars: m)
        #expect(mask.columnLevels(training: false).scalars == expected)
        // Today's rule, for contrast: σ(50·m) of every dropped column is ≈ 0, so all go to level 0.
        let nearest = ColumnShiftMask(layout: layout, levels: levels, gumbel: GumbelSigmoid(beta: 50), initialValue: 0, seed: 1)
        nearest.mask.value = mask.mask.value
        #expect(nearest.columnLevels(training: false).scalars == [0, 0, 1, 0, 0, 1, 0])
        // In training the sample's keep/drop decision is used; kept columns stay 1, dropped ones take levels.
        let trained = mask.columnLevels(training: true).scalars
        #expect(trained.allSatisfy { levels.all.contains($0) })
    }

    /// λ · mean σ(β·m): its value, its gradient against central differences, and λ·β·σ(1−σ)/N.
    @Test func sparsityPenaltyValueAndGradient() throws {
        var config = MaskConfig(method: .xbm)
        #expect(adapter(config).sparsityPenalty() == nil)  // off by default
        config.sparsityPenalty = 0.3
        config.beta = 2
        let a = adapter(config)
        var rng = SeededGenerator(seed: 11)
        for (_, m) in a.columnMasks { m.mask.value = Tensor.normal(m.mask.value.shape, using: &rng) * 0.5 }
        let params = a.maskTensorParameters
        let n = params.reduce(0) { $0 + $1.value.count }
        func penalty() -> Double { Double(a.sparsityPenalty()!.item) }
        let expected = params.flatMap(\.value.scalars).map { 1 / (1 + Foundation.exp(-2 * Double($0))) }.reduce(0, +) * 0.3 / Double(n)
        #expect(abs(penalty() - expected) < 1e-5)
        let (_, grads) = valueAndGradient(of: a.model, parameters: params) { a.sparsityPenalty()! }
        let eps: Float = 5e-2
        for (layer, index) in [(0, 0), (0, 5), (7, 3), (params.count - 1, 11)] {
            let p = params[layer]
            let x = p.value.scalars[index]
            var s = p.value.scalars
            s[index] = x + eps; p.value = Tensor(shape: p.value.shape, scalars: s); let up = penalty()
            s[index] = x - eps; p.value = Tensor(shape: p.value.shape, scalars: s); let down = penalty()
            s[index] = x; p.value = Tensor(shape: p.value.shape, scalars: s)
            let numeric = (up - down) / (2 * Double(eps))
            let sig = 1 / (1 + Foundation.exp(-2 * Double(x)))
            let analytic = 0.3 * 2 * sig * (1 - sig) / Double(n)
            #expect(abs(Double(grads[layer].scalars[index]) - numeric) < 3e-2 * abs(numeric))
            #expect(abs(Double(grads[layer].scalars[index]) - analytic) < 1e-3 * abs(analytic))
        }
    }
}
