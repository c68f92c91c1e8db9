import Foundation
import Testing
import XMaskCrossbar
@testable import XMaskExperiments
import XMaskMasks
import XMaskNN
import XMaskTensor

/// A ResNet-20 backbone (1×8×8 inputs, 3 classes) whose every value follows from `seed` and the
/// formulas below, with non-trivial batch-norm state.
private func exportBackbone(_ spec: ModelSpec) throws -> any ImageClassifier {
    let model = try spec.build(seed: 7)
    var i = 0
    for entry in model.namedLayers() {
        guard let bn = entry.layer as? BatchNorm2d else { continue }
        let c = bn.channels
        bn.weight.value = Tensor(shape: [c], scalars: (0..<c).map { 1 + Float(($0 + i) % 4) * 0.125 })
        bn.bias.value = Tensor(shape: [c], scalars: (0..<c).map { Float(($0 + i) % 3 - 1) * 0.0625 })
        bn.runningMean.value = Tensor(shape: [c], scalars: (0..<c).map { Float(($0 + i) % 5 - 2) * 0.03125 })
        bn.runningVariance.value = Tensor(shape: [c], scalars: (0..<c).map { 1 + Float(($0 + i) % 3) * 0.25 })
        bn.batchesTracked.value = Tensor(7)
        i += 1
    }
    model.setTraining(false)
    return model
}

/// An XBM task on that backbone: every third column mask value negative (its column off).
private func exportTask(_ spec: ModelSpec) throws -> (model: any ImageClassifier, state: TaskState) {
    let geometry = CrossbarGeometry()
    let training = try exportBackbone(spec)
    let adapter = TaskAdapter(model: training, config: MaskConfig(method: .xbm), geometry: geometry, numClasses: 3, seed: 3)
    for (_, p) in adapter.maskParameters {
        p.value = Tensor(shape: p.value.shape, scalars: (0..<p.value.count).map { $0 % 3 == 0 ? -1 : 1 })
    }
    let state = adapter.deploy()
    let model = try exportBackbone(spec)
    try state.install(on: model, geometry: geometry)
    model.setTraining(false)
    return (model, state)
}

/// Input n, pixel (y, x): ((7n + 5y + 3x) mod 17)/8 − 1 (the golden script uses the same).
private func exportInput() -> Tensor {
    var v: [Float] = []
    for n in 0..<4 { for y in 0..<8 { for x in 0..<8 { v.append(Float((7 * n + 5 * y + 3 * x) % 17) / 8 - 1) } } }
    return Tensor(shape: [4, 1, 8, 8], scalars: v)
}

private struct ExportGolden: Decodable {
    struct Entry: Decodable { var shape: [Int]; var dtype: String }
    var sha256: String
    var stateDict: [String: Entry]
    var logits: [[Float]]
    var torch: String
}

/// The export of the fixed task against `Golden/export_resnet20.json`, written by
/// `Scripts/golden/make_export_golden.py` with PyTorch from this test's file
/// (`$TMPDIR/xmask-export-golden.safetensors`): the keys, shapes and dtypes PyTorch's own
/// `state_dict()` has (what `load_state_dict(strict=True)` needs), the file's SHA-256, and
/// PyTorch's logits for the fixed input, which xmask's deployed task must reproduce.
@Test func exportMatchesPyTorchGolden() throws {
    let spec = ModelSpec(name: "resnet20", inChannels: 1, numClasses: 3, imageSize: 8, quantization: nil)
    let (model, state) = try exportTask(spec)
    let (weights, masks) = try TaskExport.files(model: model, state: state, spec: spec, task: "golden")
    let bytes = weights.serialized()
    try? bytes.write(to: FileManager.default.temporaryDirectory.appendingPathComponent("xmask-export-golden.safetensors"))

    guard let url = Bundle.module.url(forResource: "Golden/export_resnet20", withExtension: "json") else {
        Issue.record("Golden/export_resnet20.json is missing from the test bundle")
        return
    }
    let golden = try JSONDecoder().decode(ExportGolden.self, from: Data(contentsOf: url))
    #expect(Set(weights.keys) == Set(golden.stateDict.keys))
    for (key, entry) in golden.stateDict {
        #expect(weights.entries[key]?.shape == entry.shape, "\(key)")
        let dtype = entry.dtype == "torch.int64" ? SafetensorsDType.int64 : .float32
        #expect(weights.entries[key]?.dtype == dtype, "\(key)")
    }
    #expect(SHA256.hash(bytes).hexString == golden.sha256)
    let logits = model(exportInput())
    for n in 0..<4 { for k in 0..<3 {
        #expect(abs(logits.scalars[n * 3 + k] - golden.logits[n][k]) < 1e-4, "logit (\(n), \(k))")
    } }
    #expect(masks.keys.allSatisfy { !$0.hasPrefix("fc.") && !$0.contains("bn") })
    #expect(masks.keys.filter { $0.hasSuffix(".column_levels") }.count == 19)
}

@Test func exportMetadataDescribesPreprocessingAndQuantizers() throws {
    let spec = ModelSpec(name: "resnet20", inChannels: 1, numClasses: 3, imageSize: 8)  // 4-bit
    let (model, state) = try exportTask(spec)
    let (weights, _) = try TaskExport.files(model: model, state: state, spec: spec, task: "t")
    let pre = try JSONDecoder().decode(ExportPreprocessing.self, from: Data(weights.metadata[TaskExport.preprocessingKey]!.utf8))
    #expect(pre == ExportPreprocessing(mean: [0.5], std: [0.5], size: [8, 8], channels: 1))
    let q = try JSONDecoder().decode(ExportActivationQuantization.self,
                                     from: Data(weights.metadata[TaskExport.activationQuantizationKey]!.utf8))
    // Every conv but the stem (18) and the head: 4 bits (head 8), α at its initial 6.
    #expect(q.layers.count == 19)
    #expect(q.layers["conv1"] == nil)
    #expect(q.layers["layer1.0.conv1"] == .init(bits: 4, alpha: 6))
    #expect(q.layers["fc"] == .init(bits: 8, alpha: 6))
    #expect(!weights.keys.contains { $0.contains("quantizer") })
    // The exported weight is the quantized, masked one: at most 2·7 + 1 distinct values per conv.
    let w = try weights.tensor("layer2.0.conv1.weight")
    #expect(Set(w.scalars).count <= 15)
    #expect(w.scalars == model.convolutions.first { $0.key == "layer2.0.conv1" }!.layer.effectiveWeight().scalars)
}

@Test func importChecksEveryKeyAndLoadsTorchStyleBatchNorm() throws {
    let spec = ModelSpec(name: "resnet20", inChannels: 1, numClasses: 3, imageSize: 8, quantization: nil)
    let source = try exportBackbone(spec)
    var file = Safetensors(tensors: source.stateDict())
    // PyTorch writes num_batches_tracked as I64 scalars.
    for key in file.keys where key.hasSuffix("num_batches_tracked") {
        file.setEntry(SafetensorsEntry(dtype: .int64, shape: [], bytes: withUnsafeBytes(of: Int64(7).littleEndian, Array.init)), forKey: key)
    }
    let imported = try BackboneImport.model(from: try Safetensors(data: file.serialized()), spec: spec)
    #expect(imported(exportInput()).scalars == source(exportInput()).scalars)

    var bad = file
    bad.removeEntry(forKey: "layer1.0.bn1.running_var")
    bad.setTensor(Tensor.zeros([16, 2, 3, 3]), forKey: "conv1.weight")
    bad.setTensor(Tensor.zeros([3]), forKey: "layers.0.conv1.weight")
    bad.setEntry(SafetensorsEntry(dtype: .int64, shape: [3], bytes: [UInt8](repeating: 0, count: 24)), forKey: "fc.bias")
    #expect { try BackboneImport.model(from: bad, spec: spec) } throws: { error in
        guard let e = error as? BackboneImportError else { return false }
        return e.problems.count == 4 && e.problems[0].contains("conv1.weight") && e.problems[0].contains("[16, 2, 3, 3]")
            && e.problems[1].contains("fc.bias") && e.problems[1].contains("I64")
            && e.problems[2].contains("missing key \"layer1.0.bn1.running_var\"")
            && e.problems[3].contains("unexpected key \"layers.0.conv1.weight\"")
            && e.description.contains("4 problems")
    }
    // Quantized as pretrain builds it: weight quantizers and PACT α = 6 on every conv but the stem.
    var q = spec
    q.quantization = QuantizationSpec()
    let quantized = try BackboneImport.model(from: file, spec: q)
    #expect(quantized.convolutions[0].layer.inputQuantizer == nil)
    #expect(quantized.convolutions[1].layer.inputQuantizer?.alpha.value.item == 6)
    #expect(quantized.convolutions[1].layer.weightQuantizer?.bits == 4)
}
