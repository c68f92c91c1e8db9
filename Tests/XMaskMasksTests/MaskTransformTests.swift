import Foundation
import Testing
import XMaskCrossbar
@testable import XMaskMasks
import XMaskTensor

/// Central-difference check of `f` at `x` against `valueAndPullback`, with a fixed random cotangent.
/// `skipping` lists elements not compared (the min and max of a min-max normalisation, whose
/// bounds are held constant by design, so a probe that moves them differs from the STE path).
func checkGradient(_ x: Tensor, epsilon: Float = 1e-3, tolerance: Float = 2e-2, skipping: Set<Int> = [], _ f: (Tensor) -> Tensor,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    let y = f(x)
    var rng = SeededGenerator(seed: 99)
    let r = Tensor.normal(y.shape, using: &rng)
    let (_, g) = valueAndPullback(at: [x], cotangent: r) { f($0[0]) }
    func objective(_ t: Tensor) -> Double {
        zip(f(t).scalars, r.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    for j in 0..<x.count where !skipping.contains(j) {
        var p = x.scalars, m = x.scalars
        p[j] += epsilon
        m[j] -= epsilon
        let numeric = Float((objective(Tensor(shape: x.shape, scalars: p)) - objective(Tensor(shape: x.shape, scalars: m))) / (2 * Double(epsilon)))
        #expect(abs(g[0].scalars[j] - numeric) <= tolerance * max(1, abs(numeric)),
                "element \(j): analytic \(g[0].scalars[j]) vs numeric \(numeric)", sourceLocation: sourceLocation)
    }
}

@Suite struct GumbelSigmoidTests {
    @Test func hardSamplesKeepWithProbabilitySigmoidBetaM() {
        let g = GumbelSigmoid(beta: 2, temperature: 1)
        let m = Tensor([-1.5, -0.4, 0, 0.3, 1.2])
        var rng = SeededGenerator(seed: 5)
        var kept = [Double](repeating: 0, count: 5)
        let n = 20_000
        for _ in 0..<n {
            let s = g.sample(m, using: &rng)
            for i in 0..<5 { kept[i] += Double(s.scalars[i]) }
        }
        for i in 0..<5 {
            let expected = 1 / (1 + Foundation.exp(-2 * Double(m.scalars[i])))
            #expect(abs(kept[i] / Double(n) - expected) < 0.012, "m = \(m.scalars[i])")
        }
    }

    @Test func temperatureDoesNotChangeKeepProbability() {
        let m = Tensor([0.4])
        for t: Float in [0.3, 3] {
            var rng = SeededGenerator(seed: 6)
            let g = GumbelSigmoid(beta: 1, temperature: t)
            let kept = (0..<10_000).map { _ in g.sample(m, using: &rng).item }.reduce(0, +) / 10_000
            #expect(abs(Double(kept) - 1 / (1 + Foundation.exp(-0.4))) < 0.015)
        }
    }

    @Test func relaxedPathGradient() {
        let g = GumbelSigmoid(beta: 1.5, temperature: 0.8)
        checkGradient(Tensor([-0.7, 0.1, 0.9])) { m in
            var rng = SeededGenerator(seed: 3)  // same noise at every evaluation
            return g.relaxed(m, using: &rng)
        }
    }

    @Test func hardSampleDifferentiatesAsTheRelaxedSample() {
        let g = GumbelSigmoid(beta: 1.5, temperature: 0.8)
        let m = Tensor([-0.7, 0.1, 0.9])
        let (_, hardGrad) = valueAndGradient(at: m) { m in
            var rng = SeededGenerator(seed: 3)
            return (g.sample(m, using: &rng) * Tensor([1, 2, 3])).sum()
        }
        let (_, softGrad) = valueAndGradient(at: m) { m in
            var rng = SeededGenerator(seed: 3)
            return (g.relaxed(m, using: &rng) * Tensor([1, 2, 3])).sum()
        }
        #expect(hardGrad == softGrad)
    }

    @Test func evaluationKeepsNonNegativeMasks() {
        #expect(GumbelSigmoid().deterministic(Tensor([-0.1, 0, 0.2])).scalars == [0, 1, 1])
    }
}

@Suite struct MaskTransformGradientTests {
    let geometry = CrossbarGeometry(arrayRows: 8)
    var rng = SeededGenerator(seed: 11)

    @Test func piggybackIsStraightThroughToTheRealMask() {
        let layout = ColumnLayout(weightShape: [2, 3, 2, 2], geometry: geometry)
        let mask = PiggybackMask(layout: layout)
        var r = SeededGenerator(seed: 1)
        let w = Tensor.normal(layout.weightShape, using: &r)
        mask.mask.value = Tensor(shape: layout.weightShape, scalars: (0..<24).map { $0 % 3 == 0 ? 0 : 0.01 })
        let y = mask.apply(to: w, training: true)
        #expect(y.scalars.enumerated().allSatisfy { i, v in v == (i % 3 == 0 ? 0 : w.scalars[i]) })
        let cot = Tensor.normal(layout.weightShape, using: &r)
        let (_, g) = valueAndPullback(at: [mask.mask.value], cotangent: cot) { m in
            mask.mask.value = m[0]
            defer { mask.mask.value = m[0].detached() }
            return mask.apply(to: w, training: true)
        }
        #expect(g[0] == w * cot)  // d/dm of W ⊙ STE(m) = W ⊙ upstream
    }

    @Test func columnMaskRelaxedPathGradient() {
        // XBM's and XMA's backward path: the relaxed sample p expanded over the columns, fixed noise.
        var r = SeededGenerator(seed: 2)
        let g = GumbelSigmoid(beta: 2, temperature: 1)
        let layout5 = ColumnLayout(weightShape: [5, 2, 2, 2], geometry: geometry)  // K = 8 → 1 chunk
        let w5 = Tensor.normal(layout5.weightShape, using: &r)
        checkGradient(Tensor(shape: [1, 5], scalars: [-0.9, -0.5, 0.2, 0.5, 0.9])) { m in
            var noise = SeededGenerator(seed: 4)
            return w5 * layout5.expandColumns(g.relaxed(m, using: &noise))
        }
    }

    @Test func columnMaskDifferentiatesAsItsRelaxedPath() {
        // The hard staircase (XBM: {0, 1}; XMA: 0, 1/8, 1/4, 1/2, 1) is straight-through to p.
        let layout = ColumnLayout(weightShape: [5, 2, 2, 2], geometry: geometry)
        var r = SeededGenerator(seed: 2)
        let w = Tensor.normal(layout.weightShape, using: &r)
        let cot = Tensor.normal(layout.weightShape, using: &r)
        let m0 = Tensor(shape: [1, 5], scalars: [-0.9, -0.5, -0.1, 0.5, 0.9])
        let g = GumbelSigmoid(beta: 2, temperature: 1)
        for n in [0, 3] {
            let mask = ColumnShiftMask(layout: layout, levels: ShiftLevels(count: n), gumbel: g, initialValue: 0, seed: 7)
            let (_, masked) = valueAndPullback(at: [m0], cotangent: cot) { m in
                mask.mask.value = m[0]
                defer { mask.mask.value = m[0].detached() }
                return mask.apply(to: w, training: true)
            }
            let (_, relaxed) = valueAndPullback(at: [m0], cotangent: cot) { m in
                var noise = SeededGenerator(seed: 7)  // the mask's own generator, same seed
                return w * layout.expandColumns(g.relaxed(m[0], using: &noise))
            }
            #expect(masked[0] == relaxed[0], "N = \(n)")
        }
    }

    @Test func ksmRelaxedPathGradient() {
        let layout = ColumnLayout(weightShape: [2, 3, 1, 1], geometry: geometry)
        let g = GumbelSigmoid(beta: 50, temperature: 1)
        var r = SeededGenerator(seed: 3)
        let w = Tensor.normal(layout.weightShape, using: &r)
        checkGradient(Tensor(shape: [2, 3], scalars: [0.001, 0.02, 0.004, 0.012, 0.008, 0.016]), epsilon: 1e-4,
                      skipping: [0, 1]) { m in
            var noise = SeededGenerator(seed: 5)
            let p = g.relaxed(m - 5e-3, using: &noise)
            return w * layout.expandKernels(p + (1 - p) * (minMaxNormalized(m) * 0.5))
        }
    }

    @Test func xmaLevelsAreTheShiftSetAndXBMIsBinary() {
        let layout = ColumnLayout(weightShape: [6, 8, 1, 1], geometry: geometry)
        for n in [0, 3] {
            let mask = ColumnShiftMask(layout: layout, levels: ShiftLevels(count: n), gumbel: GumbelSigmoid(beta: 2),
                                       initialValue: 1, seed: 1)
            mask.mask.value = Tensor(shape: [1, 6], scalars: [-2, -1, -0.3, -0.05, 0.4, 2])
            let eval = mask.columnLevels(training: false).scalars
            // σ(2m) = 0.018, 0.119, 0.354, 0.475 for the dropped columns → 0, 1/8, 1/4, 1/2.
            #expect(eval == (n == 0 ? [0, 0, 0, 0, 1, 1] : [0, 0.125, 0.25, 0.5, 1, 1]))
            for _ in 0..<20 {
                let t = mask.columnLevels(training: true).scalars
                #expect(t.allSatisfy { ShiftLevels(count: n).all.contains($0) })
            }
            guard case let .columnLevels(levels, _) = mask.deployed(frozenWeight: Tensor.zeros(layout.weightShape)) else {
                Issue.record("not column levels"); return
            }
            #expect(levels == eval)
        }
    }

    @Test func shiftLevelIsMonotoneInTheRelaxedSample() {
        for n in 0...3 {
            let levels = ShiftLevels(count: n)
            let ps = stride(from: Float(0), through: 1, by: 1 / 256)
            let l = ps.map(levels.level)
            #expect(zip(l, l.dropFirst()).allSatisfy { $0 <= $1 }, "N = \(n)")
            #expect(Set(l) == Set(levels.all), "N = \(n): every level is reachable")
        }
        #expect(ShiftLevels(count: 3).level(0.49) == 0.5 && ShiftLevels(count: 3).level(0.5) == 1)
        #expect(ShiftLevels(count: 3).level(0.05) == 0 && ShiftLevels(count: 3).level(0.1) == 0.125)
    }

    @Test func xmaWithNoShiftLevelsTrainsExactlyAsXBM() {
        let layout = ColumnLayout(weightShape: [6, 8, 1, 1], geometry: geometry)
        let m = Tensor(shape: [1, 6], scalars: [-2, -1, -0.3, -0.05, 0.4, 2])
        let a = ColumnShiftMask(layout: layout, levels: ShiftLevels(count: 0), gumbel: GumbelSigmoid(beta: 2), initialValue: 0, seed: 3)
        a.mask.value = m
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<10 {
            #expect(a.columnLevels(training: true).scalars == GumbelSigmoid(beta: 2).sample(m, using: &rng).scalars)
        }
    }
}

/// docs/architecture.md, "Training ends where evaluation starts": with a small β the hard masks seen in training are a coin flip
/// away from the deterministic masks evaluation uses. The default schedule grows β so that
/// training ends where evaluation is.
@Suite struct TrainingEndsInTheEvaluationRegimeTests {
    func agreement(beta: Float, masks: Tensor, samples: Int = 200) -> Double {
        let g = GumbelSigmoid(beta: beta, temperature: 1)
        let eval = g.deterministic(masks).scalars
        var rng = SeededGenerator(seed: 21)
        var same = 0
        for _ in 0..<samples {
            same += zip(g.sample(masks, using: &rng).scalars, eval).filter { $0 == $1 }.count
        }
        return Double(same) / Double(samples * masks.count)
    }

    @Test func annealedBetaMakesTrainingMasksMatchEvaluationMasks() {
        // Learned column masks spread around the decision boundary (|m| ≤ 0.5).
        var rng = SeededGenerator(seed: 20)
        let masks = Tensor.uniform([400], low: -0.5, high: 0.5, using: &rng)
        let config = MaskConfig(method: .xbm)
        let start = agreement(beta: config.beta(atProgress: 0), masks: masks)
        let end = agreement(beta: config.beta(atProgress: 1), masks: masks)
        #expect(start < 0.75)   // β = 2: training masks often differ from the evaluation mask
        #expect(end > 0.95)     // β = 50 at the last step: they almost always agree
        #expect(config.beta(atProgress: 0.5) > config.beta(atProgress: 0) && config.beta(atProgress: 0.5) < config.beta(atProgress: 1))
    }
}
