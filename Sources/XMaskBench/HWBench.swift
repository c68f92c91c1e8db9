import ArgumentParser
import Foundation
import XMaskCrossbar
import XMaskExperiments

/// `xmask-bench hw`: speed of the crossbar hardware model — the full ResNet-50 report, all six
/// methods side by side, and a sweep of 1,000 configurations (array size × cell bits × ADC bits × method).
struct HWBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hw",
        abstract: "Time the hardware model: ResNet-50 report, --method all, and a 1,000-configuration sweep.")

    @Option(help: "Timed repetitions per case (after one warm-up); min and median are reported.") var reps = 5
    @Option(help: "Input size of ResNet-50.") var imageSize = 224
    @Flag(help: "Print a JSON array of the results.") var json = false
    @Flag(help: "Instead: refit the neurosim-v1.5-22nm preset on the NeuroSim reference rows, print the comparison table, leave-one-out errors and time per configuration.")
    var neurosim = false

    func validate() throws {
        guard reps >= 1, imageSize >= 1 else { throw ValidationError("--reps and --image-size must be ≥ 1") }
    }

    /// The sweep: 5 array sizes × 4 cell precisions × 5 ADC resolutions × 10 methods = 1,000.
    static let arraySizes = [32, 64, 72, 128, 256]
    static let cellBits = [1, 2, 3, 4]
    static let adcBits = [4, 5, 6, 7, 8]
    static let methods: [AdaptationMethod] = [
        .fineTune, .piggyback, .ksm, .xbm, .xma(shiftLevels: 1), .xma(shiftLevels: 2), .xma(shiftLevels: 3),
        .xma2(peFraction: 0.05, shiftLevels: 3), .xma2(peFraction: 0.1, shiftLevels: 3), .xma2(peFraction: 0.2, shiftLevels: 3),
    ]

    func run() throws {
        if neurosim { return try runNeuroSim() }
        let network = try NetworkModel.resnet50.network(imageSize: imageSize)
        let model = HardwareModel()
        let activity = TaskActivity.uniform(columnSparsity: 0.3, weightSparsity: 0.3)
        var results: [HWBenchResult] = []

        results.append(try Self.time(name: "resnet50 report (xbm)", items: 1, reps: reps) {
            try model.report(network: network, method: .xbm, activity: activity).totals.inferenceEnergyMicrojoules
        })
        results.append(try Self.time(name: "resnet50 --method all", items: 6, reps: reps) {
            try AdaptationMethod.all().reduce(0) { $0 + (try model.report(network: network, method: $1, activity: activity)).totals.inferenceEnergyMicrojoules }
        })
        let configurations = Self.arraySizes.count * Self.cellBits.count * Self.adcBits.count * Self.methods.count
        results.append(try Self.time(name: "sweep \(configurations) configurations", items: configurations, reps: reps) {
            var sink = 0.0
            for size in Self.arraySizes {
                for cells in Self.cellBits {
                    for adc in Self.adcBits {
                        var preset = HardwarePreset.xbm32nm
                        preset.geometry.arrayRows = size
                        preset.geometry.arrayColumns = size
                        preset.geometry.cellBits = cells
                        preset.geometry.adcBits = adc
                        preset.geometry.sparePEFraction = 0.2
                        let m = HardwareModel(preset: preset)
                        let mapping = try NetworkMapping(network: network, geometry: preset.geometry)
                        for method in Self.methods {
                            sink += try m.report(mapping: mapping, method: method, activity: activity).totals.inferenceEnergyMicrojoules
                        }
                    }
                }
            }
            return sink
        })

        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        } else {
            print("# xmask-bench hw — ResNet-50 at \(imageSize)×\(imageSize), preset \(HardwarePreset.defaultName), column sparsity 0.3, \(reps) reps after a warm-up")
            for r in results {
                print("\(r.name.padding(toLength: 34, withPad: " ", startingAt: 0)) median \(String(format: "%9.3f", r.medianSeconds * 1e3)) ms  min \(String(format: "%9.3f", r.minSeconds * 1e3)) ms  \(String(format: "%10.0f", Double(r.items) / r.medianSeconds)) configurations/s")
            }
        }
    }

    /// The NeuroSim comparison: refit, table, leave-one-out, speed.
    func runNeuroSim() throws {
        let shipped = HardwarePreset.neuroSim22nm
        let refit = try NeuroSimCalibration.fit(shipped)
        print("# neurosim-v1.5-22nm: shipped vs refitted on all \(NeuroSimReferenceCase.all.count) reference rows")
        let names = ["adcEnergyPerConversionPicojoules", "wordLineEnergyPerCellPicojoules", "shiftAddInputEnergyPerConversionPicojoules",
                     "adderTreeEnergyPer128UnitsPicojoules[0]", "shiftAddWeightEnergyPicojoules", "adcPeripheryEnergyPerConversionPicojoules",
                     "arrayReadEnergyPerCellPicojoules", "globalBufferEnergyPerBitPicojoules", "interconnectEnergyPerBitPicojoules",
                     "pipelinedInterconnectFactor", "cellAreaSquareMicrometers", "rowDriverAreaSquareMicrometers", "adcAreaSquareMicrometers",
                     "globalBufferAreaPerBitSquareMicrometers"]
        func values(_ t: TechnologyParameters) -> [Double] {
            [t.adcEnergyPerConversionPicojoules, t.wordLineEnergyPerCellPicojoules, t.shiftAddInputEnergyPerConversionPicojoules,
             t.adderTreeEnergyPer128UnitsPicojoules[0], t.shiftAddWeightEnergyPicojoules, t.adcPeripheryEnergyPerConversionPicojoules,
             t.arrayReadEnergyPerCellPicojoules, t.globalBufferEnergyPerBitPicojoules, t.interconnectEnergyPerBitPicojoules,
             t.pipelinedInterconnectFactor, t.cellAreaSquareMicrometers, t.rowDriverAreaSquareMicrometers, t.adcAreaSquareMicrometers,
             t.globalBufferAreaPerBitSquareMicrometers]
        }
        for (name, (a, b)) in zip(names, zip(values(shipped.technology), values(refit.technology))) {
            print("\(name.padding(toLength: 44, withPad: " ", startingAt: 0)) shipped \(String(format: "%12.6g", a))  refit \(String(format: "%12.6g", b))")
        }
        let network = try NeuroSimReferenceCase.network()
        print("")
        print("| case | NeuroSim E µJ | xmask E µJ | diff | ADC (NS / xmask) | accumulation | other | buffer | interconnect | area mm² (NS / xmask) | diff |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for c in NeuroSimReferenceCase.all {
            let preset = c.applied(to: shipped)
            let r = try HardwareModel(preset: preset).report(network: c.network.shape(), includeClassifier: true, method: .fineTune)
            let k = r.energyMicrojoules.neuroSimCategories
            let e = r.totals.inferenceEnergyMicrojoules, a = r.totals.areaSquareMillimeters
            func pair(_ ns: Double?, _ x: Double) -> String { ns.map { String(format: "%.2f / %.2f", $0, x) } ?? String(format: "– / %.2f", x) }
            print("| \(c.name) | \(String(format: "%.2f", c.energyMicrojoules)) | \(String(format: "%.2f", e)) | \(String(format: "%+.1f %%", 100 * (e / c.energyMicrojoules - 1))) | \(pair(c.adcMicrojoules, k.adc)) | \(pair(c.accumulationMicrojoules, k.accumulation)) | \(pair(c.otherMicrojoules, k.buffer + k.interconnect + k.other)) | \(pair(c.bufferMicrojoules, k.buffer)) | \(pair(c.interconnectMicrojoules, k.interconnect)) | \(String(format: "%.2f / %.2f", c.areaSquareMillimeters, a)) | \(String(format: "%+.1f %%", 100 * (a / c.areaSquareMillimeters - 1))) |")
        }
        print("")
        print("# leave one network out: refit without the network's rows, predict them")
        for p in try NeuroSimCalibration.leaveOneNetworkOut(shipped) {
            print("\(p.name.padding(toLength: 26, withPad: " ", startingAt: 0)) energy \(String(format: "%+6.1f %%", 100 * p.energyError))  area \(String(format: "%+6.1f %%", 100 * p.areaError))")
        }
        let model = HardwareModel(preset: shipped)
        let timing = try Self.time(name: "neurosim preset, resnet18-cifar", items: 1, reps: max(reps, 20)) {
            try model.report(network: network, includeClassifier: true, method: .fineTune).totals.inferenceEnergyMicrojoules
        }
        print("")
        print(String(format: "time per configuration: median %.3f ms (min %.3f ms); NeuroSim 80–460 s → %.1e–%.1e× faster",
                     timing.medianSeconds * 1e3, timing.minSeconds * 1e3, 80 / timing.medianSeconds, 460 / timing.medianSeconds))
    }

    /// One warm-up, then `reps` timed runs with `ContinuousClock`; the result is kept alive.
    static func time(name: String, items: Int, reps: Int, _ body: () throws -> Double) throws -> HWBenchResult {
        let clock = ContinuousClock()
        var sink = try body()
        var seconds: [Double] = []
        for _ in 0..<reps {
            let start = clock.now
            sink += try body()
            let d = clock.now - start
            seconds.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
        hwBlackHole(sink)
        seconds.sort()
        return HWBenchResult(name: name, items: items, reps: reps, minSeconds: seconds[0], medianSeconds: seconds[seconds.count / 2],
                             configurationsPerSecond: Double(items) / seconds[seconds.count / 2])
    }
}

struct HWBenchResult: Codable {
    var name: String
    var items: Int
    var reps: Int
    var minSeconds: Double
    var medianSeconds: Double
    var configurationsPerSecond: Double
}

@inline(never) func hwBlackHole(_ x: Double) {
    if x.isNaN { print("", terminator: "") }
}
