import Foundation
import XMaskCrossbar
import XMaskData
import Yams

/// An experiment file: a YAML description of a whole study (`xmask reproduce FILE`).
///
/// ```yaml
/// name: small                      # default: the file's name
/// seed: 1
/// seeds: [1, 2, 3]                 # default: [seed]; every task × method is learned once per seed
/// out: runs/small                  # default: runs/NAME
/// backbone: {model: resnet20, data: ../../shared/data/fashion-mnist, epochs: 12, image_size: 28,
///            channels: 1, bits: 4, edge_bits: 8, batch_size: 128, learning_rate: 0.05,
///            momentum: 0.9, weight_decay: 0.0005, label_smoothing: 0, crop_padding: 2,
///            flip: true, train_subset: 6000, classes: 10}
/// # or import a trained bundle's backbone instead of training one (no other backbone key then):
/// # backbone: {from: ../results/fmnist-resnet20-q4}
/// hardware: {preset: xbm-32nm, spare_pe_fraction: 0.4, rows: 72, cols: 72, cell_bits: 2,
///            adc_bits: 5, columns_per_adc: 1, pe_array_rows: 2, pe_array_columns: 2,
///            write_model: neurosim}  # or papers
/// tasks:
///   - {name: mnist, data: ../../shared/data/mnist, classes: 10}
/// methods: [finetune, piggyback, ksm, xbm, {xma: {shift_levels: 3}},
///           {xma2: {pe_fraction: [0.05, 0.1, 0.2, 0.4], shift_levels: 3}}]
/// adapt: {steps: 600, batch_size: 64, learning_rate: 0.01, weight_learning_rate: 0.001, mask_learning_rate: null,
///         train_subset: null, recalibration_batches: 50, beta: 2, beta_final: 50,
///         temperature: 1, freeze_batch_norm: false}
/// device:                          # optional: every (task, method) on noisy chips afterwards
///   seed: 1
///   trials: 10
///   test_subset: 2000              # stratified sample of each task's test set (default: all)
///   recalibrate_batches: [0, 10]   # or one value; one run per value (0: no BN re-estimation)
///   points:
///     - {preset: stuck-1pct}                          # name defaults to the preset (+ → _)
///     - {name: gauss-3pct, level_sigma: 0.03}         # DeviceModel fields in snake case
///     - {name: wan-half, preset: wan2022, programming_scale: 0.5, recalibrate_batches: 10}
/// ```
///
/// Relative paths (`data`, `out`) resolve against the file's directory. Every key is checked
/// before anything is trained: an unknown key, a wrong type, a value out of range, a dataset
/// directory that is missing or does not fit the backbone, a shift level the weights cannot
/// take (N ≤ bits − 1: the shift-adder shifts a weight's magnitude bits) or an XMA2 P above
/// the spare-PE fraction is an ``ExperimentFileError`` naming the key and its line.
/// `backbone.bits` sets the weight and activation bits of the network and of the crossbars.
public struct ExperimentFile: Sendable {
    /// The file as given.
    public var path: String
    public var plan: StudyPlan
    /// The output bundle and report directory.
    public var out: URL
    /// What the file should change but that still works (a deprecated key), with its line.
    public var warnings: [String] = []

    /// Reads and checks `url`.
    /// - Parameter checkData: check every dataset directory now (exists, both splits, test images
    ///   fit the backbone, labels below the classes); false touches no dataset.
    public static func load(_ url: URL, checkData: Bool = true) throws -> ExperimentFile {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ExperimentFileError(file: url.path, line: nil, key: "", problem: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ExperimentFileError(file: url.path, line: nil, key: "", problem: "not UTF-8 text")
        }
        return try parse(text, path: url.path, directory: url.deletingLastPathComponent(), checkData: checkData)
    }

    /// Parses `text` as the file `path`, resolving relative paths against `directory`.
    public static func parse(_ text: String, path: String, directory: URL, checkData: Bool = true) throws -> ExperimentFile {
        try checkSize(text, file: path)  // before the YAML parser, which recurses per nesting level
        var parser = ExperimentFileParser(file: path, directory: directory.standardizedFileURL, checkData: checkData)
        return try parser.parse(text)
    }
}

/// The keys of each section, in the order the documentation lists them.
enum ExperimentKeys {
    static let top = ["name", "seed", "seeds", "out", "backbone", "hardware", "tasks", "methods", "adapt", "device"]
    static let backbone = ["from", "model", "data", "classes", "epochs", "image_size", "channels", "bits", "edge_bits", "batch_size",
                           "learning_rate", "momentum", "weight_decay", "label_smoothing", "crop_padding", "flip", "train_subset"]
    static let hardware = ["preset", "spare_pe_fraction", "rows", "cols", "cell_bits", "adc_bits", "columns_per_adc", "pe_array_rows", "pe_array_columns", "write_model",
                                   "pe_rows", "pe_cols"]
    /// Keys that still work under an old name: old → new.
    static let renamed = ["pe_rows": "pe_array_rows", "pe_cols": "pe_array_columns"]
    static let task = ["name", "data", "classes"]
    static let adapt = AdaptOptions.settings.map { snakeCase($0.name) }
    static let xma = ["shift_levels"]
    static let xma2 = ["pe_fraction", "shift_levels"]
}

/// `batchSize` → `batch_size`: an experiment file's spelling of a Swift field.
func snakeCase(_ field: String) -> String {
    field.reduce(into: "") { out, c in
        if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
    }
}

/// A YAML node with the dotted key that reached it, for error messages.
struct KeyedNode {
    let node: Node
    let key: String
    let file: String

    var line: Int? { node.mark?.line }
    var isNull: Bool { node.scalar.map { $0.style == .plain } == true && node.null != nil }

    func error(_ problem: String) -> ExperimentFileError { ExperimentFileError(file: file, line: line, key: key, problem: problem) }

    private func describe() -> String {
        switch node {
        case .scalar(let s): return "\"\(s.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    func mapping(keys allowed: [String]) throws -> KeyedMapping {
        guard case .mapping(let m) = node else { throw error("expected a mapping with keys \(allowed.joined(separator: ", ")), found \(describe())") }
        var entries: [(String, KeyedNode)] = []
        for (k, v) in m {
            let child = key.isEmpty ? "" : key + "."
            guard let name = k.scalar?.string else {
                throw ExperimentFileError(file: file, line: k.mark?.line, key: key, problem: "keys must be plain names")
            }
            guard allowed.contains(name) else {
                throw ExperimentFileError(file: file, line: k.mark?.line, key: child + name,
                                          problem: allowed.isEmpty ? "unknown key; \(key) takes no options"
                                              : "unknown key; expected one of \(allowed.joined(separator: ", "))")
            }
            guard !entries.contains(where: { $0.0 == name }) else {
                throw ExperimentFileError(file: file, line: k.mark?.line, key: child + name, problem: "given twice")
            }
            entries.append((name, KeyedNode(node: v, key: child + name, file: file)))
        }
        return KeyedMapping(owner: self, entries: entries)
    }

    func list() throws -> [KeyedNode] {
        guard case .sequence(let s) = node else { throw error("expected a list, found \(describe())") }
        return s.enumerated().map { KeyedNode(node: $1, key: "\(key)[\($0)]", file: file) }
    }

    func string() throws -> String {
        guard case .scalar(let s) = node, !isNull else { throw error("expected a string, found \(describe())") }
        return s.string
    }

    func int(_ range: ClosedRange<Int>) throws -> Int {
        guard let v = node.int, node.scalar != nil else { throw error("expected an integer, found \(describe())") }
        guard range.contains(v) else { throw error("\(v) is out of range; expected \(Self.range(range))") }
        return v
    }

    func double(min: Double, max: Double, minExclusive: Bool = false) throws -> Double {
        guard let v = node.float, node.scalar != nil, v.isFinite else { throw error("expected a number, found \(describe())") }
        guard minExclusive ? v > min : v >= min, v <= max else {
            throw error("\(formatNumber(v)) is out of range; expected \(minExclusive ? "above" : "at least") \(formatNumber(min))"
                        + (max.isFinite ? " and at most \(formatNumber(max))" : ""))
        }
        return v
    }

    func bool() throws -> Bool {
        guard let v = node.bool, node.scalar != nil else { throw error("expected true or false, found \(describe())") }
        return v
    }

    static func range(_ r: ClosedRange<Int>) -> String {
        r.upperBound == Int.max ? "at least \(r.lowerBound)" : "an integer in \(r.lowerBound)...\(r.upperBound)"
    }
}

/// A checked mapping: every key known and given once.
struct KeyedMapping {
    let owner: KeyedNode
    let entries: [(String, KeyedNode)]

    /// The value of `key`, nil when absent or null.
    subscript(_ key: String) -> KeyedNode? {
        entries.first { $0.0 == key }.map(\.1).flatMap { $0.isNull ? nil : $0 }
    }

    func required(_ key: String) throws -> KeyedNode {
        guard let v = self[key] else {
            throw ExperimentFileError(file: owner.file, line: owner.line, key: owner.key.isEmpty ? key : owner.key + "." + key,
                                      problem: "missing; this key is required")
        }
        return v
    }
}

struct ExperimentFileParser {
    let file: String
    let directory: URL
    let checkData: Bool
    var warnings: [String] = []

    func resolve(_ path: String) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : directory.appendingPathComponent(expanded)
        return url.standardizedFileURL
    }

    mutating func parse(_ text: String) throws -> ExperimentFile {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ExperimentFileError(file: file, line: nil, key: "", problem: "the file is empty; expected a mapping with keys \(ExperimentKeys.top.joined(separator: ", "))")
            }
            root = node
        } catch let e as ExperimentFileError {
            throw e
        } catch let e as YamlError {
            throw ExperimentFileError(file: file, line: Self.line(of: e), key: "", problem: "not valid YAML: \(Self.problem(of: e))")
        }
        let top = try KeyedNode(node: root, key: "", file: file).mapping(keys: ExperimentKeys.top)
        let name = try top["name"]?.string() ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        if let n = top["name"] { try checkName(name, n) }
        let seed = try top["seed"].map { UInt64(try $0.int(0...Int.max)) } ?? 1
        let seeds = try top["seeds"].map(parseSeeds)

        let backboneNode = try top.required("backbone")
        let (backbone, backboneSource) = try parseBackbone(backboneNode)
        let hardware = try top["hardware"].map { try parseHardware($0) } ?? HardwarePreset.xbm32nm
        let bits = backbone.model.quantization?.weightBits ?? 32
        let spare = hardware.geometry.sparePEFraction
        let tasks = try top.required("tasks").list().map { try parseTask($0, backbone: backbone.model) }
        if tasks.isEmpty { throw try top.required("tasks").error("expected at least one task") }
        var names = Set<String>()
        for (t, node) in zip(tasks, try top.required("tasks").list()) where !names.insert(t.name).inserted {
            throw node.error("task name \(t.name) is used twice")
        }
        var methods: [AdaptationMethod] = []
        for node in try top.required("methods").list() {
            for m in try parseMethod(node, weightBits: bits, spareFraction: spare) {
                if methods.contains(where: { StudyPlan.methodLabel($0) == StudyPlan.methodLabel(m) }) {
                    throw node.error("\(m.description) is listed twice")
                }
                methods.append(m)
            }
        }
        if methods.isEmpty { throw try top.required("methods").error("expected at least one method") }

        var plan = StudyPlan(backbone: backbone, tasks: tasks, methods: methods)
        plan.name = name
        plan.seed = seed
        plan.seeds = seeds
        plan.hardware = hardware
        plan.backbone.seed = seed
        plan.backboneSource = backboneSource
        if let a = top["adapt"] { plan.adapt = try parseAdapt(a) }
        if let d = top["device"] { plan.device = try parseDevice(d, cellLevels: plan.geometry.cellLevels) }
        let out = try top["out"].map { resolve(try $0.string()) } ?? directory.appendingPathComponent("runs/\(name)")
        do { try plan.validate() } catch {
            throw ExperimentFileError(file: file, line: nil, key: "", problem: "\(error)")
        }
        return ExperimentFile(path: file, plan: plan, out: out, warnings: warnings)
    }

    /// `seeds`: a non-empty list of distinct seeds (the backbone keeps `seed`).
    func parseSeeds(_ node: KeyedNode) throws -> [UInt64] {
        let items = try node.list()
        if items.isEmpty { throw node.error("expected at least one seed, e.g. [1, 2, 3]") }
        var seeds: [UInt64] = []
        for item in items {
            let s = UInt64(try item.int(0...Int.max))
            if seeds.contains(s) { throw item.error("seed \(s) is listed twice") }
            seeds.append(s)
        }
        return seeds
    }

    func checkName(_ name: String, _ node: KeyedNode) throws {
        guard !name.isEmpty, !name.hasPrefix("."), name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw node.error("\"\(name)\": expected letters, digits, '-', '_' or '.', not starting with '.'")
        }
    }

    /// The backbone's training settings, or (`from: DIR`) a trained bundle's backbone to import:
    /// its model and data come from the bundle, and no training key may stand beside `from`.
    func parseBackbone(_ node: KeyedNode) throws -> (PretrainConfig, source: String?) {
        let m = try node.mapping(keys: ExperimentKeys.backbone)
        if let from = m["from"] {
            if let other = m.entries.first(where: { $0.0 != "from" }) {
                throw other.1.error("not allowed beside backbone.from: the backbone is imported from that bundle, not trained")
            }
            let url = resolve(try from.string())
            let source: TaskBundle
            do { source = try TaskBundle.open(url) } catch { throw from.error("\(error)") }
            let b = source.manifest.backbone
            guard let data = b.data else { throw from.error("\(url.path)/bundle.json records no backbone data directory") }
            return (PretrainConfig(model: b.model, data: data, epochs: 1), url.path)
        }
        let model = try m["model"]?.string() ?? "resnet20"
        if !ModelSpec.names.contains(model) {
            throw m["model"]!.error("unknown model \"\(model)\"; expected one of \(ModelSpec.names.joined(separator: ", "))")
        }
        let imageSize = try m["image_size"]?.int(8...1024) ?? 28
        let channels = try m["channels"]?.int(1...3) ?? 1
        let classes = try m["classes"]?.int(2...65_536) ?? 10
        let bits = try m["bits"]?.int(1...8) ?? 4
        let edgeBits = try m["edge_bits"]?.int(1...16) ?? 8
        let spec = ModelSpec(name: model, inChannels: channels, numClasses: classes, imageSize: imageSize,
                             quantization: QuantizationSpec(weightBits: bits, activationBits: bits, firstLayerBits: edgeBits, lastLayerBits: edgeBits))
        let dataNode = try m.required("data")
        let data = try checkDataset(dataNode, spec: spec, classes: classes)
        var config = PretrainConfig(model: spec, data: data, epochs: try m.required("epochs").int(1...100_000))
        if let v = m["batch_size"] { config.batchSize = try v.int(1...65_536) }
        if let v = m["learning_rate"] { config.learningRate = Float(try v.double(min: 0, max: 10, minExclusive: true)) }
        if let v = m["momentum"] { config.momentum = Float(try v.double(min: 0, max: 0.999)) }
        if let v = m["weight_decay"] { config.weightDecay = Float(try v.double(min: 0, max: 1)) }
        if let v = m["label_smoothing"] { config.labelSmoothing = Float(try v.double(min: 0, max: 0.99)) }
        if let v = m["crop_padding"] { config.cropPadding = try v.int(0...imageSize / 2) }
        if let v = m["flip"] { config.horizontalFlip = try v.bool() }
        if let v = m["train_subset"] { config.trainSubset = try v.int(1...Int.max) }
        return (config, nil)
    }

    /// The crossbar preset and geometry; a PE is `pe_array_rows × pe_array_columns` arrays
    /// (``XMaskCrossbar/CrossbarGeometry/peArrayRows``; the old `pe_rows`/`pe_cols` still work, with a warning).
    mutating func parseHardware(_ node: KeyedNode) throws -> HardwarePreset {
        let m = try node.mapping(keys: ExperimentKeys.hardware)
        for (old, new) in ExperimentKeys.renamed.sorted(by: <) {
            guard let v = m.entries.first(where: { $0.0 == old })?.1 else { continue }
            if m.entries.contains(where: { $0.0 == new }) { throw v.error("give \(new) only (\(old) is its old name)") }
            warnings.append(ExperimentFileError(file: file, line: v.line, key: v.key, problem: "deprecated; write \(new) (same meaning)").description)
        }
        var preset = HardwarePreset.xbm32nm
        if let p = m["preset"] {
            let name = try p.string()
            guard let found = HardwarePreset.all.first(where: { $0.name == name.lowercased() }) else {
                throw p.error("unknown preset \"\(name)\"; expected one of \(HardwarePreset.all.map(\.name).joined(separator: ", "))")
            }
            preset = found
        }
        if let v = m["spare_pe_fraction"] { preset.geometry.sparePEFraction = try v.double(min: 0, max: 1) }
        if let v = m["rows"] { preset.geometry.arrayRows = try v.int(1...4096) }
        if let v = m["cols"] { preset.geometry.arrayColumns = try v.int(1...4096) }
        if let v = m["cell_bits"] { preset.geometry.cellBits = try v.int(1...8) }
        if let v = m["adc_bits"] { preset.geometry.adcBits = try v.int(1...16) }
        if let v = m["columns_per_adc"] { preset.geometry.columnsPerADC = try v.int(1...4096) }
        if let v = m["pe_array_rows"] ?? m["pe_rows"] { preset.geometry.peArrayRows = try v.int(1...1024) }
        if let v = m["pe_array_columns"] ?? m["pe_cols"] { preset.geometry.peArrayColumns = try v.int(1...1024) }
        if let v = m["write_model"] {
            let name = try v.string()
            guard let kind = WriteModelKind(rawValue: name.lowercased()) else {
                throw v.error("unknown write model \"\(name)\"; expected one of \(WriteModelKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            preset.technology.writeModel = kind
        }
        do { try preset.geometry.validate() } catch { throw node.error("\(error)") }
        return preset
    }

    func parseTask(_ node: KeyedNode, backbone: ModelSpec) throws -> StudyPlan.TaskSpec {
        let m = try node.mapping(keys: ExperimentKeys.task)
        let nameNode = try m.required("name")
        let name = try nameNode.string()
        try checkName(name, nameNode)
        let classes = try m["classes"]?.int(2...65_536) ?? 10
        let data = try checkDataset(try m.required("data"), spec: backbone, classes: classes)
        return StudyPlan.TaskSpec(name: name, data: data, classes: classes)
    }

    /// Resolves a dataset directory and checks that it holds both IDX splits whose test images
    /// fit the backbone (same or fewer channels, square and no larger) with labels below `classes`.
    func checkDataset(_ node: KeyedNode, spec: ModelSpec, classes: Int) throws -> String {
        let url = resolve(try node.string())
        guard checkData else { return url.path }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw node.error("dataset directory \(url.path) does not exist")
        }
        let train = Dataset.idxFileNames(split: .train)
        for name in [train.images, train.labels] where !name.contains(where: { FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path) }) {
            throw node.error("\(url.path) has no \(name[0]) (MNIST-layout IDX files expected)")
        }
        let test: Dataset
        do { test = try Dataset.loadIDX(directory: url, split: .test, classCount: classes) } catch {
            throw node.error("\(url.path): \(error)")
        }
        guard test.channels == spec.inChannels || (test.channels == 1 && spec.inChannels == 3),
              test.height == test.width, test.height <= spec.imageSize else {
            throw node.error("\(url.path) holds \(test.height)×\(test.width)×\(test.channels) images; the backbone takes \(spec.imageSize)×\(spec.imageSize)×\(spec.inChannels) (only smaller square images are upsampled, 1 channel may become 3)")
        }
        return url.path
    }

    /// One entry of `methods`: a name, or `{NAME: {options}}`; XMA2 with a list of P gives one method per P.
    func parseMethod(_ node: KeyedNode, weightBits: Int, spareFraction: Double) throws -> [AdaptationMethod] {
        let name: String
        var options: KeyedNode?
        switch node.node {
        case .scalar:
            name = try node.string()
        case .mapping(let m):
            guard m.count == 1, let k = m.first?.key.scalar?.string, let v = m.first?.value else {
                throw node.error("expected a method name or {name: {options}} with one name")
            }
            name = k
            options = KeyedNode(node: v, key: "\(node.key).\(k)", file: file)
            if options?.isNull == true { options = nil }
        default:
            throw node.error("expected a method name or {name: {options}}")
        }
        let keyLine = { () -> KeyedNode in
            if case .mapping(let m) = node.node, let k = m.first?.key { return KeyedNode(node: k, key: node.key, file: self.file) }
            return node
        }()
        let allowed = AdaptationMethod.shiftLevelRange(weightBits: weightBits)
        func shiftLevels(_ m: KeyedMapping) throws -> Int {
            guard let v = m["shift_levels"] else { return min(3, allowed.upperBound) }
            let n = try v.int(0...Int.max)
            do { try AdaptationMethod.xma(shiftLevels: n).validate(weightBits: weightBits) } catch {
                throw v.error("\(n) shift levels cannot be applied to \(weightBits)-bit weights; expected \(allowed.lowerBound)...\(allowed.upperBound) (a shift by more than \(allowed.upperBound) bits leaves nothing of a \(weightBits)-bit weight's magnitude; XMA uses 3)")
            }
            return n
        }
        guard let kind = AdaptationMethod.Kind(rawValue: name.lowercased()) else {
            throw keyLine.error("unknown method \"\(name)\"; expected one of \(AdaptationMethod.names.joined(separator: ", "))")
        }
        switch kind {
        case .finetune, .piggyback, .ksm, .xbm:
            if let options { _ = try options.mapping(keys: []) }
            return [kind.method(shiftLevels: 0, peFraction: 0)]
        case .xma:
            let m = try (options ?? KeyedNode(node: [:], key: node.key, file: file)).mapping(keys: ExperimentKeys.xma)
            return [.xma(shiftLevels: try shiftLevels(m))]
        case .xma2:
            let m = try (options ?? KeyedNode(node: [:], key: node.key, file: file)).mapping(keys: ExperimentKeys.xma2)
            let n = try shiftLevels(m)
            var fractions: [Double] = [0.1]
            if let p = m["pe_fraction"] {
                let values = p.node.sequence != nil ? try p.list() : [p]
                if values.isEmpty { throw p.error("expected at least one PE fraction") }
                fractions = try values.map { v in
                    let f = try v.double(min: 0, max: 1, minExclusive: true)
                    guard f <= spareFraction + 1e-12 else {
                        throw v.error("\(formatNumber(f)) is above the spare-PE fraction \(formatNumber(spareFraction)) (hardware.spare_pe_fraction): XMA2 re-programs its PEs into spare PEs")
                    }
                    return f
                }
            } else if spareFraction < 0.1 {
                throw keyLine.error("xma2 needs pe_fraction: the default 0.1 is above the spare-PE fraction \(formatNumber(spareFraction))")
            }
            return fractions.map { .xma2(peFraction: $0, shiftLevels: n) }
        }
    }

    /// The `adapt:` section: each key is a setting of ``AdaptOptions`` in snake case; its type
    /// is checked here, its range by ``AdaptOptions/validate()`` (the error names the key and line).
    func parseAdapt(_ node: KeyedNode) throws -> AdaptOptions {
        let m = try node.mapping(keys: ExperimentKeys.adapt)
        var a = AdaptOptions()
        for (name, setting) in AdaptOptions.settings {
            guard let v = m[snakeCase(name)] else { continue }
            switch setting {
            case let .count(path, _): a[keyPath: path] = try v.int(Int.min...Int.max)
            case let .optionalCount(path, _): a[keyPath: path] = try v.int(Int.min...Int.max)
            case let .positive(path, _): a[keyPath: path] = Float(try v.double(min: -.infinity, max: .infinity))
            case let .optionalPositive(path, _): a[keyPath: path] = Float(try v.double(min: -.infinity, max: .infinity))
            case let .flag(path): a[keyPath: path] = try v.bool()
            case let .optionalReal(path, _): a[keyPath: path] = Float(try v.double(min: -.infinity, max: .infinity))
            case let .choice(_, _, write):
                let name = try v.string()
                guard write(&a, name) else { throw v.error("\(name) is not allowed; expected \(setting.expected)") }
            }
            do { try a.validate() } catch {
                guard case let .invalidOption(_, value, expected) = error else { throw error }
                throw v.error("\(value) is out of range; expected \(expected)")
            }
        }
        return a
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _): return mark.line
        default: return nil
        }
    }

    static func problem(of error: YamlError) -> String {
        switch error {
        case let .scanner(context, problem, _, _), let .parser(context, problem, _, _), let .composer(context, problem, _, _):
            return problem + (context.map { " (\($0.text))" } ?? "")
        default: return "\(error)"
        }
    }
}
