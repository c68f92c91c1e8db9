import Foundation
import XMaskCrossbar
import XMaskData
import XMaskNN
import XMaskTensor

/// A safetensors state dict that does not fit the architecture it is imported as: every
/// problem at once (missing and unexpected keys, wrong shapes and dtypes, non-finite values),
/// sorted by key.
public struct BackboneImportError: Error, CustomStringConvertible, Equatable {
    public var file: String
    /// The architecture expected, e.g. `resnet20 (1 input channel, 10 classes, 28×28)`.
    public var model: String
    public var problems: [String]

    public var description: String {
        "\(file): not a state dict of \(model): \(problems.count) problem\(problems.count == 1 ? "" : "s"):\n"
            + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// Makes a bundle from a backbone trained elsewhere (`xmask import`): a safetensors state dict
/// with torchvision's key names, as `safetensors.torch.save_file(model.state_dict(), path)`
/// writes it for a network of the zoo built with the same layout (``ModelSpec``).
///
/// Every key of the architecture must be present with its shape, and no other key: floating
/// tensors as F32, F64, F16 or BF16, batch norm's `num_batches_tracked` as any dtype (PyTorch
/// writes I64), all values finite. With a quantized ``ModelSpec`` the network is quantized
/// exactly as `xmask pretrain` builds it before training (``ImageClassifier/quantize(_:)``):
/// the weights are kept as imported and fake-quantized on the fly, per tensor, with
/// `Q(W) = clamp(round(W/s), −Q_P, Q_P)·s`, `s = max|W|/Q_P`, `Q_P = 2^(bits−1) − 1` (the edge
/// layers at `firstLayerBits`/`lastLayerBits`), and every PACT activation clip α at its initial
/// value (``XMaskNN/QuantizationConfig/initialAlpha``, 6); nothing is re-trained, so a network
/// trained in full precision may lose accuracy at few bits (the recorded test accuracy is the
/// quantized network's). Inputs are expected normalised as every xmask task is: `(pixel/255 −
/// 0.5)/0.5` (``TaskData``).
public enum BackboneImport {
    /// The network of `spec` holding the weights of `file`, in evaluation mode.
    ///
    /// - Throws: ``BackboneImportError`` listing every problem, or the file's ``SafetensorsError``.
    public static func model(from file: Safetensors, spec: ModelSpec) throws -> any ImageClassifier {
        try model(shapes: file.entries.mapValues(\.shape), dtypes: file.entries.mapValues(\.dtype), file: file.file, spec: spec) { key in
            file.entries[key]?.tensor()
        }
    }

    /// ``model(from:spec:)`` for the file at `url`, read straight into tensors
    /// (``XMaskTensor/Safetensors/readTensors(contentsOf:)``): the import holds one copy of the
    /// weights, not the file's bytes as well.
    public static func model(contentsOf url: URL, spec: ModelSpec) throws -> any ImageClassifier {
        let read = try Safetensors.readTensors(contentsOf: url)
        return try model(shapes: read.tensors.mapValues(\.shape), dtypes: read.dtypes, file: url.path, spec: spec) { read.tensors[$0] }
    }

    /// The checks and the model: `shapes` and `dtypes` of every entry, `tensor(key)` its values.
    private static func model(shapes: [String: [Int]], dtypes: [String: SafetensorsDType], file: String, spec: ModelSpec,
                              tensor: (String) -> Tensor?) throws -> any ImageClassifier {
        try spec.validate()
        var float = spec
        float.quantization = nil
        let model = try float.build(seed: 0)
        var problems: [(key: String, text: String)] = []
        var state: [String: Tensor] = [:]
        let expected = model.namedParameters()
        let known = Set(expected.map(\.key))
        let floating: Set<SafetensorsDType> = [.float32, .float64, .float16, .bfloat16]
        for (key, parameter) in expected {
            guard let shape = shapes[key], let dtype = dtypes[key] else {
                problems.append((key, "missing key \"\(key)\" (expected shape \(parameter.value.shape))"))
                continue
            }
            let counter = key.hasSuffix("num_batches_tracked")
            if shape != parameter.value.shape {
                problems.append((key, "key \"\(key)\" has shape \(shape), expected \(parameter.value.shape)"))
            } else if !counter && !floating.contains(dtype) {
                problems.append((key, "key \"\(key)\" has dtype \(dtype.rawValue), expected a floating type (F32, F64, F16, BF16)"))
            } else if let t = tensor(key) {
                if let bad = t.scalars.firstIndex(where: { !$0.isFinite }) {
                    problems.append((key, "key \"\(key)\" holds \(t.scalars[bad]) at flat index \(bad), expected finite values"))
                } else {
                    state[key] = t
                }
            }
        }
        for key in shapes.keys.sorted() where !known.contains(key) {
            let shape = shapes[key] ?? []
            problems.append((key, "unexpected key \"\(key)\" (shape \(shape)); \(spec.name) has no such parameter or buffer"))
        }
        if !problems.isEmpty {
            let sorted = problems.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map(\.text)
            throw BackboneImportError(file: file, model: describe(spec), problems: sorted)
        }
        try model.load(stateDict: state, strict: true)
        if let q = spec.quantization { try model.quantize(q.config()) }
        model.setTraining(false)
        return model
    }

    /// Imports `weights` as a new bundle at `out`; with `data`, the test split of that dataset
    /// (any ``XMaskData/DatasetFormat``, prepared as ``TaskData`` does) gives the recorded
    /// accuracy and the backbone task's name.
    ///
    /// - Returns: the bundle and the test accuracy (nil without `data`).
    public static func run(weights: URL, spec: ModelSpec, out: URL, data: URL?, geometry: CrossbarGeometry)
        throws -> (bundle: TaskBundle, testAccuracy: Double?)
    {
        if FileManager.default.fileExists(atPath: out.appendingPathComponent("bundle.json").path) {
            throw ExperimentError.bundleExists(path: out.path)
        }
        let model = try self.model(contentsOf: weights, spec: spec)
        var accuracy: Double?
        if let data {
            let task = try TaskData(directory: data, inChannels: spec.inChannels, imageSize: spec.imageSize, classCount: spec.numClasses)
            guard task.classCount == spec.numClasses else {
                throw ExperimentError.invalidOption(name: "classes", value: "\(spec.numClasses)", expected: "\(task.classCount), the classes of \(data.path)")
            }
            accuracy = evaluate(model, on: task.test, options: task.evaluationOptions()).accuracy
        }
        let name = data.map { DatasetFormat.displayName(of: $0) } ?? weights.deletingPathExtension().lastPathComponent
        let bundle = try TaskBundle.create(at: out, model: model, spec: spec, task: name, data: data?.path,
                                           testAccuracy: accuracy, geometry: geometry)
        return (bundle, accuracy)
    }

    static func describe(_ spec: ModelSpec) -> String {
        "\(spec.name) (\(spec.inChannels) input channel\(spec.inChannels == 1 ? "" : "s"), \(spec.numClasses) classes, \(spec.imageSize)×\(spec.imageSize))"
    }
}
