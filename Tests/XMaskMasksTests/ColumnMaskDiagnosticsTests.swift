import Foundation
import Testing
import XMaskCrossbar
@testable import XMaskMasks
import XMaskNN
import XMaskTensor

/// ``ColumnMaskRecorder``: flips counted per bucket and in the last quarter, |dp/dm| from the
/// values a step's forward pass used, the deployed levels per layer.
@Suite struct ColumnMaskDiagnosticsTests {
    @Test func recorderCountsFlipsSlopesAndLevels() throws {
        var rng = SeededGenerator(seed: 4)
        let model = ResNet.resnet20(inChannels: 1, numClasses: 4, using: &rng)
        var config = MaskConfig(method: .xma(shiftLevels: 3))
        config.beta = 2
        config.betaFinal = 2
        let adapter = TaskAdapter(model: model, config: config, geometry: CrossbarGeometry(), numClasses: 3, seed: 1)
        let recorder = try #require(ColumnMaskRecorder(adapter: adapter, steps: 4))
        let first = adapter.columnMasks[0].mask.mask, last = adapter.columnMasks.last!.mask.mask
        let n = adapter.columnMasks.reduce(0) { $0 + $1.mask.mask.value.count }
        func set(_ p: Parameter, _ values: [Int: Float]) {
            var s = p.value.scalars
            for (i, v) in values { s[i] = v }
            p.value = Tensor(shape: p.value.shape, scalars: s)
        }
        set(first, [0: -0.5, 1: -0.5, 2: -3])  // step 0: three values go from 1 to below 0
        recorder.record(step: 0)
        recorder.record(step: 1)
        set(first, [0: 0.5])  // step 2: one flips back
        recorder.record(step: 2)
        set(first, [1: 0.2])
        set(last, [0: -1])  // step 3, the last quarter: two flips
        recorder.record(step: 3)
        let d = recorder.finish()
        #expect(d.maskValues == n && d.stepsPerBucket == [1, 1, 1, 1])
        #expect(d.flipsPerBucket == [3, 0, 1, 2])
        #expect(d.lastQuarterFlippedFraction == 2 / Double(n))
        // Step 0's forward pass had every value at 1: |dp/dm| = β·σ(β)(1 − σ(β)) at β = 2.
        let s = 1 / (1 + exp(-2.0))
        #expect(abs(d.meanAbsSlopePerBucket[0] - 2 * s * (1 - s)) < 1e-9)
        #expect(d.meanAbsSlopePerBucket[3] != d.meanAbsSlopePerBucket[0])
        // Deployed: the first layer has the one value at −3 dropped (σ(−6) ≈ 0 → level 0) and the last one at −1.
        #expect(d.levels == [0, 0.125, 0.25, 0.5, 1] && d.layers.count == 19 && d.layers[0].layer == "conv1")
        let firstCount = Double(first.value.count), lastCount = Double(last.value.count)
        #expect(d.layers[0].levelFractions == [1 / firstCount, 0, 0, 0, 1 - 1 / firstCount])
        #expect(d.layers[18].levelFractions[0] + d.layers[18].levelFractions[1] == 1 / lastCount)
        #expect(abs(d.gatedFraction - d.layers.map { $0.levelFractions[0] }.reduce(0, +) / 19) < 1e-12)
        #expect(d.flipRatePerBucket[0] == 3 / Double(n))
    }

    @Test func onlyColumnMaskMethodsAreRecorded() {
        var rng = SeededGenerator(seed: 4)
        let model = ResNet.resnet20(inChannels: 1, numClasses: 4, using: &rng)
        let adapter = TaskAdapter(model: model, config: MaskConfig(method: .piggyback), geometry: CrossbarGeometry(), numClasses: 3, seed: 1)
        #expect(ColumnMaskRecorder(adapter: adapter, steps: 10) == nil)
    }
}
