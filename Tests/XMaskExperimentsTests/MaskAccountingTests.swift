import Foundation
import Testing
import XMaskCrossbar
@testable import XMaskExperiments
import XMaskMasks
import XMaskNN

/// One mask accounting for every path: the bundle's manifest (which studies copy into their
/// cells), the task's own count and `xmask hw --masks` on the task's exported masks give the same
/// mask bits, column layout and PE numbering — on the bundle's geometry, packing included.
@Suite(.serialized) struct MaskAccountingTests {
    static let methods: [AdaptationMethod] = [.xbm, .xma(shiftLevels: 3), .xma2(peFraction: 0.1, shiftLevels: 3), .ksm, .piggyback]

    @Test func bundleTaskAndHardwareReportAgree() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let taskData = scratch.url.appendingPathComponent("task")
        try writeSyntheticIDX(to: taskData, seed: 7)
        let geometry = bundle.manifest.geometry
        var preset = HardwarePreset.xbm32nm
        preset.geometry = geometry
        for (i, method) in Self.methods.enumerated() {
            let name = "t\(i)"
            _ = try Adapter(config: tinyAdaptConfig(task: name, data: taskData, method: method)).run(bundle: &bundle)
            let entry = try bundle.task(named: name)
            let (model, state) = try bundle.loadTask(name)

            // `xmask hw --masks FILE`: the exported masks read back by the crossbar model.
            let file = scratch.url.appendingPathComponent("\(name).masks.json")
            try state.hardwareMasks(model: model, geometry: geometry).encoded().write(to: file)
            let spec = bundle.manifest.backbone.model
            let network = HardwareCost.network(of: model, name: spec.name, imageSize: spec.imageSize)
            let report = try HardwareModel(preset: preset).report(
                network: network, method: method, activity: .masks(try TaskMasks.load(contentsOf: file), file: file.path))

            #expect(report.totals.maskBits == entry.metrics.maskBits, "\(method)")
            #expect(state.maskMemory().bits == entry.metrics.maskBits, "\(method)")
            #expect(report.totals.maskBytes == entry.metrics.maskBytes, "\(method)")
            #expect(report.totals.maskBits > 0, "\(method)")
            // Layout and PE numbering: the task's layout is the report's mapping, layer by layer.
            #expect(report.layers.map(\.name) == state.layers.map(\.key))
            for (line, layer) in zip(report.layers, state.layers) {
                #expect(line.rowChunks == layer.layout.rowChunks && line.pes == layer.layout.peCount, "\(line.name)")
                #expect(line.maskBits == layer.layout.mapping.maskMemory(method: method, reprogrammedPEs: layer.mask.reprogrammedPEs).bits)
            }
            // Both write models' estimates are kept in bundle.json; the recorded energy is NeuroSim's (the default).
            let kinds = entry.metrics.writeModels?.map(\.writeModel)
            #expect(kinds == [.neurosim, .papers], "\(method)")
            let neurosim = entry.metrics.writeModels?.first { $0.writeModel == .neurosim }
            #expect(neurosim?.reprogrammingEnergyMicrojoules == entry.metrics.reprogrammingEnergyMicrojoules, "\(method)")
            if case .xma2 = method {
                #expect(report.totals.reprogrammedPEs == state.layers.reduce(0) { $0 + $1.mask.reprogrammedPEs.count })
            }
        }
    }

    /// Packing is a field of the bundle's geometry: a fixed-width bundle counts XMA at
    /// ⌈log2 5⌉ = 3 bits per column, a radix one at 7 bits per 3 columns.
    @Test func packingReachesTheBundle() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let taskData = scratch.url.appendingPathComponent("task")
        try writeSyntheticIDX(to: taskData, seed: 7)
        let columns = { (state: TaskState) in state.layers.map(\.layout.columns) }
        _ = try Adapter(config: tinyAdaptConfig(task: "radix", data: taskData, method: .xma(shiftLevels: 3))).run(bundle: &bundle)
        let radixColumns = columns(try bundle.loadTask("radix").state)
        #expect(bundle.manifest.geometry.maskPacking == .radix)
        #expect(try bundle.task(named: "radix").metrics.maskBits
                == radixColumns.reduce(0) { $0 + MaskPacking.radix.bits(count: $1, levels: 5) })

        var fixed = try makeTinyBundle(in: scratch, name: "fixed", geometry: CrossbarGeometry(maskPacking: .fixedWidth))
        _ = try Adapter(config: tinyAdaptConfig(task: "fixed", data: taskData, method: .xma(shiftLevels: 3))).run(bundle: &fixed)
        #expect(fixed.manifest.geometry.maskPacking == .fixedWidth)
        #expect(try fixed.task(named: "fixed").metrics.maskBits == radixColumns.reduce(0, +) * 3)
    }

    /// The caller's hardware model must use the bundle's geometry; it is not overwritten silently.
    @Test func hardwareOnAnotherGeometryIsRefused() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let taskData = scratch.url.appendingPathComponent("task")
        try writeSyntheticIDX(to: taskData, seed: 7)
        var other = HardwarePreset.xbm32nm
        other.geometry = bundle.manifest.geometry
        other.geometry.arrayRows = 128
        #expect(throws: ExperimentError.self) {
            _ = try Adapter(config: tinyAdaptConfig(task: "a", data: taskData, method: .xbm)).run(bundle: &bundle, hardware: HardwareModel(preset: other))
        }
        #expect(bundle.taskNames.isEmpty)
    }
}
