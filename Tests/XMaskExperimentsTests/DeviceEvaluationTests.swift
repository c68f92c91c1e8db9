import Foundation
import Testing
import XMaskCrossbar
@testable import XMaskExperiments
import XMaskMasks
import XMaskNN
import XMaskTensor

/// `xmask eval --device` on a tiny bundle: noise off is today's eval bit for bit, seeds
/// reproduce, every task shares one chip and only re-written cells are drawn afresh.
@Suite(.serialized) struct DeviceEvaluationTests {
    /// A tiny backbone with XBM and FineTune tasks, each added twice under two names (same
    /// config and seed, so the same state), plus Piggyback, KSM and XMA2; made once (the tests
    /// only read it).
    nonisolated(unsafe) static let shared: Result<(ScratchDirectory, TaskBundle), any Error> = Result {
        let scratch = try ScratchDirectory()
        return (scratch, try makeBundle(in: scratch))
    }

    static func bundle() throws -> TaskBundle { try shared.get().1 }

    static func makeBundle(in scratch: ScratchDirectory) throws -> TaskBundle {
        var bundle = try makeTinyBundle(in: scratch)
        let data = scratch.url.appendingPathComponent("task")
        try writeSyntheticIDX(to: data, seed: 7)
        for (name, method) in [("xbm-a", AdaptationMethod.xbm), ("xbm-b", .xbm), ("ft-a", .fineTune), ("ft-b", .fineTune),
                               ("pb", .piggyback), ("ksm", .ksm), ("xma2", .xma2(peFraction: 0.1, shiftLevels: 3))] {
            _ = try Adapter(config: tinyAdaptConfig(task: name, data: data, method: method)).run(bundle: &bundle)
        }
        return try TaskBundle.open(bundle.directory)
    }

    @Test func noiseOffIsTodaysEvalBitForBitAndNoiseIsSeeded() throws {
        let bundle = try Self.bundle()

        var ideal = DeviceEvaluationOptions(deviceName: "ideal", device: DeviceModel())
        ideal.trials = 2
        let off = try evaluateBundle(bundle, device: ideal)
        for r in off.tasks {
            let recorded = try bundle.task(named: r.task).metrics
            #expect(r.logitsSHA256 == [recorded.logitsSHA256, recorded.logitsSHA256], "\(r.task)")
            #expect(r.accuracies == [recorded.testAccuracy, recorded.testAccuracy] && r.idealAccuracy == recorded.testAccuracy)
            #expect(r.std == 0)
        }

        var noisy = DeviceEvaluationOptions(deviceName: "gaussian-10pct+stuck-5pct", device: try DevicePreset.model(named: "gaussian-10pct+stuck-5pct"))
        noisy.trials = 2
        noisy.seed = 3
        noisy.tasks = ["xbm-a", "ft-a"]
        let first = try evaluateBundle(bundle, device: noisy)
        let again = try evaluateBundle(bundle, device: noisy)
        #expect(first == again)
        for r in first.tasks {
            #expect(r.logitsSHA256[0] != r.logitsSHA256[1], "\(r.task): two trials, two chips")
            #expect(!r.logitsSHA256.contains(try bundle.task(named: r.task).metrics.logitsSHA256))
        }
        noisy.seed = 4
        let other = try evaluateBundle(bundle, device: noisy)
        #expect(other.tasks.map(\.logitsSHA256) != first.tasks.map(\.logitsSHA256))
        #expect(first.methods.count == 2 && first.methods.allSatisfy { $0.tasks == 1 })
    }

    @Test func everyTaskSharesTheChipAndOnlyReWrittenCellsAreDrawnAfresh() throws {
        let bundle = try Self.bundle()
        // Programming error and faults, no read noise: a task that writes nothing (XBM) reads
        // exactly the chip, so its two copies agree; FineTune re-writes cells, drawn per task.
        var o = DeviceEvaluationOptions(deviceName: "gaussian-5pct+stuck-1pct", device: try DevicePreset.model(named: "gaussian-5pct+stuck-1pct"))
        o.trials = 2
        o.tasks = ["xbm-a", "xbm-b", "ft-a", "ft-b"]
        let r = try evaluateBundle(bundle, device: o)
        let byName = Dictionary(uniqueKeysWithValues: r.tasks.map { ($0.task, $0) })
        #expect(byName["xbm-a"]?.logitsSHA256 == byName["xbm-b"]?.logitsSHA256)
        #expect(byName["ft-a"]?.logitsSHA256 != byName["ft-b"]?.logitsSHA256)

        // With read noise every evaluation is a new read: the XBM copies differ too.
        o.device = try DevicePreset.model(named: "gaussian-5pct+read-1pct")
        let read = try evaluateBundle(bundle, device: o)
        #expect(read.tasks[0].logitsSHA256 != read.tasks[1].logitsSHA256)
    }

    @Test func everyCellStuckLowReadsTheLowestCodeTimesTheMask() throws {
        let bundle = try Self.bundle()
        var device = DeviceModel()
        device.stuckLowRate = 1
        let geometry = bundle.manifest.geometry
        var checked = 0
        for name in ["xbm-a", "pb", "ksm", "xma2"] {
            let (_, state) = try bundle.loadTask(name)
            let chip = try DeviceChip(backbone: try bundle.loadBackbone(), device: device, cellBits: geometry.cellBits, seed: 1)
            let model = try bundle.loadBackbone()
            let levels = Dictionary(uniqueKeysWithValues: model.convolutions.map { ($0.key, $0.layer.quantizedLevels()) })
            try state.install(on: model, geometry: geometry, chip: chip, seed: 2)
            let convs = Dictionary(uniqueKeysWithValues: model.convolutions.map { ($0.key, $0.layer) })
            for layer in state.layers {
                guard let q = levels[layer.key] ?? nil, let conv = convs[layer.key] else { continue }
                // Offset code 0 is level −2^(b−1); the column level still scales a kept column.
                let lowest = Float(-(1 << (q.bits - 1)))
                var step = [Float](repeating: q.scale, count: q.levels.count)
                switch layer.mask {
                case .columnLevels(let l, _):
                    step = zip(step, layer.layout.expandColumns(Tensor(shape: [layer.layout.rowChunks, layer.layout.outChannels], scalars: l)).scalars).map { $0 * $1 }
                case .replacedPEs(let pes, let w, let l, _):
                    let column = layer.layout.expandColumns(Tensor(shape: [layer.layout.rowChunks, layer.layout.outChannels], scalars: l)).scalars
                    let newScale = conv.weightQuantizer!.levels(of: w).scale
                    for (i, pe) in layer.layout.peOfWeights().enumerated() { step[i] = pes[pe] == 1 ? newScale : step[i] * column[i] }
                default: break
                }
                let got = conv.effectiveWeight().scalars
                checked += 1
                // XBM re-writes nothing: exactly the lowest code. Re-written weights hold their
                // ideal value minus their target code, i.e. the lowest code plus the ideal value's
                // distance to its level (under half a step: KSM's soft values, XMA2's new weights).
                let slack: Float = name == "xbm-a" ? 1e-4 : 0.5
                for (g, s) in zip(got, step) where abs(g - lowest * s) > slack * abs(s) + 1e-6 {
                    Issue.record("\(name) \(layer.key): \(g), expected \(lowest) × \(s)")
                    break
                }
            }
        }
        #expect(checked == 4 * 19, "\(checked) layers checked: every conv of ResNet-20 is on cells")
    }

    @Test func batchNormReEstimationIsThePlainAverageOfBatchStatistics() throws {
        let scratch = try ScratchDirectory()
        let bundle = try makeTinyBundle(in: scratch)
        let model = try bundle.loadBackbone()
        var rng = SeededGenerator(seed: 9)
        let batches = (0..<3).map { _ in Tensor(shape: [4, 1, 8, 8], scalars: (0..<256).map { _ in rng.nextUnitFloat() * 2 - 1 }) }
        reestimateBatchNorm(model, batches: batches)
        let averaged = model.namedLayers().compactMap { $0.layer as? BatchNorm2d }.first!.runningMean.value.scalars
        // The first batch norm follows conv1 alone: its batch means are those of conv1's output.
        let reference = try bundle.loadBackbone()
        let conv1 = reference.convolutions.first!.layer
        var sums = [Double](repeating: 0, count: averaged.count)
        for b in batches {
            let y = conv1(b)
            let hw = y.shape[2] * y.shape[3]
            for c in 0..<averaged.count {
                var s = 0.0
                for n in 0..<y.shape[0] { for i in 0..<hw { s += Double(y.scalars[(n * averaged.count + c) * hw + i]) } }
                sums[c] += s / Double(y.shape[0] * hw) / Double(batches.count)
            }
        }
        for c in 0..<averaged.count { #expect(abs(Double(averaged[c]) - sums[c]) < 1e-3 * max(1, abs(sums[c])), "channel \(c)") }
        #expect(model.namedLayers().compactMap { $0.layer as? BatchNorm2d }.allSatisfy { !$0.isTraining })
    }
}
