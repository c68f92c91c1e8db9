import ArgumentParser
import Foundation
import XMaskCrossbar
import XMaskExperiments

/// `xmask hw`: the crossbar hardware model — mapping, mask memory, inference energy with
/// column gating, re-programming energy and area of a network under one or all methods.
struct HW: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hw",
        abstract: "Hardware cost of a network on ReRAM crossbars: arrays, mask memory, energy, re-programming, area.",
        discussion: """
        Defaults: XBM Table II (32 nm, HfO2 1T1R 2-bit cells, 72x72 arrays, 5-bit SAR ADC), \
        4-bit weights and activations, ResNet-50 at 224x224. Precedence: preset < --config < flags.
        Examples:
          xmask hw --model resnet50 --image-size 224
          xmask hw --model resnet50 --method all --column-sparsity 0.3 --html hw.html
          xmask hw --model resnet50 --method all --write-model papers
          xmask hw --network net.csv --rows 128 --cols 128 --json
          xmask hw --model resnet20 --method xma --masks task.masks.json
        """)

    @OptionGroup var network: HWNetworkOptions
    @OptionGroup var hardware: HWHardwareOptions
    @OptionGroup var task: HWTaskOptions

    @Flag(help: "List the presets (with --json: every field of each) and exit.") var listPresets = false
    @Flag(help: "Print a JSON object (one report; with --method all, {\"reports\": [...]}).") var json = false
    @Option(help: ArgumentHelp("Also write a self-contained HTML page with SVG charts to this file.", valueName: "file"))
    var html: String?
    @Flag(help: "Leave the per-layer table out of the text report.") var noLayers = false

    func validate() throws {
        if network.model != nil && network.networkFile != nil {
            throw ValidationError("--model and --network are exclusive: give one")
        }
        if network.networkFile != nil && network.imageSize != nil {
            throw ValidationError("--image-size applies to --model; a CSV gives each layer's input size")
        }
        if network.networkFile != nil && network.includeClassifier {
            throw ValidationError("--include-classifier applies to --model; every line of a CSV is mapped")
        }
        if let classes = network.classes, !(2...ModelSpec.maxClasses).contains(classes) {
            throw ValidationError("--classes \(classes): expected an integer in 2...\(ModelSpec.maxClasses)")
        }
        if network.classes != nil && !network.includeClassifier {
            throw ValidationError("--classes sizes the classifier head, which is mapped only with --include-classifier")
        }
        if hardware.peGrid != nil && (hardware.peArrayRows != nil || hardware.peArrayColumns != nil) {
            throw ValidationError("--pe-grid is the old spelling of --pe-array-rows/--pe-array-columns: give one")
        }
        if task.masks != nil && (task.columnSparsity != nil || task.weightSparsity != nil) {
            throw ValidationError("--masks gives the real masks; leave out --column-sparsity/--weight-sparsity")
        }
        if task.masks != nil && task.method == .all {
            throw ValidationError("--masks holds one task of one method; --method all compares methods analytically")
        }
        // Names first: an unknown model is refused before anything is read (presets and methods are typed options).
        if let model = network.model { _ = try naming("--model", model) { try NetworkModel.parse(model) } }
    }

    /// The option of each geometry / report field, for range errors (precedence: flags name
    /// their own values; a --config file's errors name its line).
    static let optionNames = kebabOptions(["cellBits", "weightBits", "activationBits", "adcBits", "sparePEFraction", "shiftLevels",
                                           "peFraction", "columnSparsity", "weightSparsity", "inferences", "imageSize", "classes"])
        .merging(["arrayRows": "--rows", "arrayColumns": "--cols", "columnsPerADC": "--columns-per-adc",
                  "peArrayRows": "--pe-array-rows", "peArrayColumns": "--pe-array-columns", "pipelineSpeedUp": "--pipeline-speedup",
                  "ksmRealValueBits": "--ksm-real-bits", "maskPacking": "--packing"]) { a, _ in a }

    func run() throws {
        if listPresets {
            try printPresets()
            return
        }
        try namingOptions(Self.optionNames) { try report() }
    }

    private func report() throws {
        let preset = try hardware.resolvePreset()
        let model = HardwareModel(preset: preset)
        let shape = try network.resolve()
        let writeModel = preset.technology.writeModel
        let inferences = task.inferences ?? writeModel.defaultInferences
        let clock = ContinuousClock()
        let start = clock.now
        var reports: [HardwareReport] = []
        if let masksPath = task.masks {
            let masks = try TaskMasks.load(contentsOf: URL(fileURLWithPath: masksPath))
            let method = try task.method == nil ? masks.adaptationMethod() : task.methods()[0]
            reports.append(try model.report(network: shape, includeClassifier: network.includeClassifier, method: method,
                                            activity: .masks(masks, file: masksPath), inferences: inferences))
        } else {
            let columnSparsity = task.columnSparsity ?? 0
            let weightSparsity = task.weightSparsity ?? writeModel.defaultWeightSparsity ?? columnSparsity
            let activity = TaskActivity.uniform(columnSparsity: columnSparsity, weightSparsity: weightSparsity)
            for method in task.methods() {
                reports.append(try model.report(network: shape, includeClassifier: network.includeClassifier, method: method,
                                                activity: activity, inferences: inferences))
            }
        }
        let elapsed = clock.now - start

        if let html {
            let page = HWHTML.page(reports: reports, preset: preset)
            do { try page.write(toFile: html, atomically: true, encoding: .utf8) } catch {
                throw ValidationError("cannot write \(html): \(error.localizedDescription)")
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = reports.count == 1 && task.method != .all ? try encoder.encode(reports[0]) : try encoder.encode(["reports": reports])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(HWText.report(reports, preset: preset, showLayers: !noLayers, elapsed: elapsed))
            if let html { print("wrote \(html)") }
        }
    }

    private func printPresets() throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(HardwarePreset.all), as: UTF8.self))
            return
        }
        for preset in HardwarePreset.all {
            let g = preset.geometry
            print("\(preset.name)\(preset.name == HardwarePreset.defaultName ? " (default)" : "")")
            print("  \(preset.summary)")
            print("  geometry: \(g.arrayRows)x\(g.arrayColumns) arrays, \(g.cellBits)-bit cells, \(g.weightBits)-bit weights, \(g.activationBits)-bit activations, \(g.adcBits)-bit \(preset.technology.adcKind.rawValue) ADC per \(g.columnsPerADC) column(s), PE \(g.peArrayRows)x\(g.peArrayColumns) arrays")
            print("  source: \(preset.source)")
        }
        print("Every field can be overridden by --config FILE (see `xmask hw --list-presets --json` for the keys).")
    }
}

/// Which network to map.
struct HWNetworkOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Built-in model: \(NetworkModel.allCases.map(\.rawValue).joined(separator: ", ")) (default resnet50).", valueName: "name"))
    var model: String?
    @Option(name: .customLong("network"), help: ArgumentHelp("Network CSV, one conv per line: IFM_H,IFM_W,Cin,Kh,Kw,Cout,maxpool_after,stride (NeuroSim order).", valueName: "file.csv"))
    var networkFile: String?
    @Option(help: "Input image size for --model (default: 224 for ImageNet models, 32 for CIFAR models).")
    var imageSize: Int?
    @Option(help: "Classes of the classifier head (default: 1000 ImageNet, 10 CIFAR); used with --include-classifier.")
    var classes: Int?
    @Flag(help: "Map the classifier head too (it is per task and not mapped by default).")
    var includeClassifier = false

    func resolve() throws -> NetworkShape {
        if let path = networkFile {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw CrossbarError.unsupported("cannot read \(path): \(error.localizedDescription)")
            }
            return try NetworkShape.parseCSV(text, file: path, name: URL(fileURLWithPath: path).lastPathComponent)
        }
        let m = try NetworkModel.parse(model ?? NetworkModel.resnet50.rawValue)
        return try m.network(imageSize: imageSize ?? m.defaultImageSize, classes: classes)
    }
}

/// The hardware: preset, config file and per-field flags.
struct HWHardwareOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Preset (default \(HardwarePreset.defaultName)).", valueName: "name"))
    var preset: PresetName?
    @Option(help: ArgumentHelp("JSON or YAML file overriding preset fields by name.", valueName: "file"))
    var config: String?
    @Option(help: "Array rows.") var rows: Int?
    @Option(help: "Array columns (cell columns).") var cols: Int?
    @Option(help: "Bits per ReRAM cell.") var cellBits: Int?
    @Option(help: "Bits per weight.") var weightBits: Int?
    @Option(help: "Bits per activation (bit-serial input planes).") var activationBits: Int?
    @Option(help: "ADC resolution in bits.") var adcBits: Int?
    @Option(name: .customLong("columns-per-adc"), help: "Cell columns sharing one ADC.") var columnsPerADC: Int?
    @Option(help: "Arrays per PE along the unrolled rows (K).") var peArrayRows: Int?
    @Option(help: "Arrays per PE along the output channels.") var peArrayColumns: Int?
    @Option(name: .customLong("pe-grid"), help: ArgumentHelp("Deprecated: --pe-array-rows R --pe-array-columns C.", valueName: "RxC", visibility: .hidden))
    var peGrid: String?
    @Option(name: .customLong("zero-activations"), help: "Fraction of activations that are 0 (random otherwise): sets the input-bit density the word-line energy scales with.")
    var zeroActivations: Double?
    @Option(name: .customLong("pipeline-speedup"), help: "Pipeline speed-up degree with weight duplication (1 = layer by layer; NeuroSim default 8).")
    var pipelineSpeedUp: Int?
    @Option(name: .customLong("spare-pe-fraction"), help: "Spare PEs as a fraction of the backbone's PEs (XMA2 needs >= its PE fraction).")
    var sparePEFraction: Double?
    @Option(help: ArgumentHelp("Storage packing of multi-level column masks: radix (k values in ceil(k log2 L) bits) or fixed (ceil(log2 L) bits each) (default: the preset's).", valueName: "radix|fixed"))
    var packing: MaskPacking?
    @Option(name: .customLong("ksm-real-bits"), help: "Bits of KSM's real-valued mask part per kernel, 0...64 (default: the preset's, 32).")
    var ksmRealBits: Int?
    @Option(name: .customLong("write-model"), help: ArgumentHelp("Re-programming energy in the totals: neurosim (NeuroSim's 1T1R pulses) or papers (calibrated to XMA2 Fig. 5 / XBM Fig. 6; then M defaults to \(PapersWriteCalibration.inferences) and the Piggyback/KSM sparsity to \(PapersWriteCalibration.piggybackZeroedWeights)). Reports show both.", valueName: "papers|neurosim"))
    var writeModel: WriteModelKind?

    func resolvePreset() throws -> HardwarePreset {
        var fileConfig: HardwareConfig?
        if let path = config { fileConfig = try HardwareConfigFile.load(contentsOf: URL(fileURLWithPath: path)) }
        var result = try preset?.preset ?? HardwarePreset.named(fileConfig?.presetName ?? HardwarePreset.defaultName)
        if let fileConfig { result = try fileConfig.apply(to: result) }
        var g = result.geometry
        if let rows { g.arrayRows = rows }
        if let cols { g.arrayColumns = cols }
        if let cellBits { g.cellBits = cellBits }
        if let weightBits { g.weightBits = weightBits }
        if let activationBits { g.activationBits = activationBits }
        if let adcBits { g.adcBits = adcBits }
        if let columnsPerADC { g.columnsPerADC = columnsPerADC }
        if let sparePEFraction { g.sparePEFraction = sparePEFraction }
        if let pipelineSpeedUp { g.pipelineSpeedUp = pipelineSpeedUp }
        if let packing { g.maskPacking = packing }
        if let ksmRealBits { g.ksmRealValueBits = ksmRealBits }
        if let peGrid {
            let parts = peGrid.lowercased().split(separator: "x", omittingEmptySubsequences: false).compactMap { Int($0) }
            let limit = 1 << 20
            guard parts.count == 2, parts.allSatisfy({ (1...limit).contains($0) }) else {
                throw CrossbarError.invalidField(field: "--pe-grid", value: peGrid, expected: "ROWSxCOLS with ROWS and COLS in 1...\(limit), e.g. 2x2")
            }
            FileHandle.standardError.write(Data("warning: --pe-grid is deprecated; write --pe-array-rows \(parts[0]) --pe-array-columns \(parts[1])\n".utf8))
            g.peArrayRows = parts[0]
            g.peArrayColumns = parts[1]
        }
        if let peArrayRows { g.peArrayRows = peArrayRows }
        if let peArrayColumns { g.peArrayColumns = peArrayColumns }
        result.geometry = g
        if let writeModel { result.technology.writeModel = writeModel }
        if let zeroActivations {
            guard zeroActivations.isFinite, zeroActivations >= 0, zeroActivations <= 1 else {
                throw CrossbarError.invalidField(field: "--zero-activations", value: String(zeroActivations), expected: "a fraction in 0...1")
            }
            result.technology.inputBitDensity = inputBitDensity(zeroFraction: zeroActivations, activationBits: g.activationBits)
        }
        try result.validate()
        return result
    }
}

extension MaskPacking: ExpressibleByArgument {}
extension WriteModelKind: ExpressibleByArgument {}

/// The task: method(s), sparsity or real masks, inferences.
struct HWTaskOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Method, or all (default xbm; with --masks, the file's).", valueName: "name"))
    var method: MethodChoice?
    @Option(help: "XMA/XMA2 shift levels N (levels 0, 2^-N..1/2, 1).") var shiftLevels: Int = 3
    @Option(help: "XMA2 fraction P of PEs re-programmed with new weights.") var peFraction: Double = 0.1
    @Option(help: "Fraction of column-mask values that are 0 (XBM/XMA/XMA2 tier-2), uniform analytic model.")
    var columnSparsity: Double?
    @Option(help: "Fraction of Piggyback/KSM mask values that are 0 (default: the column sparsity).")
    var weightSparsity: Double?
    @Option(help: ArgumentHelp("A task's masks (xmask-task-masks JSON; see Sources/XMaskCrossbar/README.md).", valueName: "file"))
    var masks: String?
    @Option(help: "M, inferences served per deployed task, for the (M·E_inf + E_reprog)/(M·E_inf) ratio of XMA2 Fig. 5 (default 1; the papers' M with --write-model papers).")
    var inferences: Int?

    func methods() -> [AdaptationMethod] {
        switch method ?? .one(.xbm) {
        case .all: AdaptationMethod.all(shiftLevels: shiftLevels, peFraction: peFraction)
        case let .one(kind): [kind.method(shiftLevels: shiftLevels, peFraction: peFraction)]
        }
    }
}

/// `xmask hw --method`: one method, or all of them.
enum MethodChoice: ExpressibleByArgument, Equatable {
    case one(AdaptationMethod.Kind)
    case all

    init?(argument: String) {
        if argument.lowercased() == "all" {
            self = .all
        } else if let kind = AdaptationMethod.Kind(parsing: argument) {
            self = .one(kind)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { AdaptationMethod.names + ["all"] }
}

/// `--preset`: one of the built-in presets, by name.
struct PresetName: ExpressibleByArgument {
    var preset: HardwarePreset

    init?(argument: String) {
        guard let preset = try? HardwarePreset.named(argument) else { return nil }
        self.preset = preset
    }

    static var allValueStrings: [String] { HardwarePreset.all.map(\.name) }
}
