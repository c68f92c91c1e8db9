import Foundation
import XMaskMasks
import XMaskNN
import XMaskTensor

/// How to turn an image into the exported network's input (`xmask.preprocessing` in the
/// export's metadata): resize to `size` ([H, W]; bilinear, half-pixel centres, as
/// ``XMaskData/ResizeMethod/bilinear``), replicate a grey image to `channels`, then
/// `x = (pixel/255 − mean[c])/std[c]`.
public struct ExportPreprocessing: Codable, Sendable, Equatable {
    public var mean: [Float]
    public var std: [Float]
    public var size: [Int]
    public var channels: Int
}

/// The PACT input quantizers of the exported network (`xmask.activation_quantization`): before
/// each listed layer runs, its input becomes `round(clamp(x, 0, α)/s)·s` with
/// `s = α/(2^bits − 1)` in float32 and `round` half to even (`torch.round`).
public struct ExportActivationQuantization: Codable, Sendable, Equatable {
    public struct Quantizer: Codable, Sendable, Equatable {
        public var bits: Int
        public var alpha: Float
    }
    public var formula = "x = round(clamp(x, 0, alpha) / s) * s, s = alpha / (2^bits - 1), float32, round half to even; applied to the input of each layer"
    /// By layer key (`layer1.0.conv1`, `fc`).
    public var layers: [String: Quantizer]
}

/// One task of a bundle as a plain PyTorch state dict (`xmask export`).
///
/// The weights file holds, under torchvision's keys for the zoo's layout, what the deployed
/// task computes with: every convolution's effective weight `T(Q(W))` (the frozen backbone
/// weight quantized, then the task's deployed mask applied; FineTune's and XMA2's new
/// weights included), every linear layer's quantized weight (head included) and bias, the
/// task's batch norm (`num_batches_tracked` as I64, as PyTorch keeps it). No quantizer keys:
/// the model loads with `load_state_dict(strict=True)`; quantized activations are described in
/// the metadata instead (``ExportActivationQuantization``), with the input preprocessing
/// (``ExportPreprocessing``). The masks go beside it in `NAME.masks.safetensors`, in the task
/// file's encoding (``XMaskMasks/TaskState/safetensors()``) without head and batch norm.
public enum TaskExport {
    /// Metadata keys of the weights file.
    public static let preprocessingKey = "xmask.preprocessing"
    public static let activationQuantizationKey = "xmask.activation_quantization"

    /// `FILE.masks.safetensors` beside `FILE.safetensors`.
    public static func masksURL(for url: URL) -> URL {
        let base = url.pathExtension == "safetensors" ? url.deletingPathExtension() : url
        return base.deletingLastPathComponent().appendingPathComponent(base.lastPathComponent + ".masks.safetensors")
    }

    /// The two files' contents for `model` computing a task (its state installed).
    public static func files(model: any ImageClassifier, state: TaskState, spec: ModelSpec, task: String) throws
        -> (weights: Safetensors, masks: Safetensors)
    {
        let layers = Dictionary(model.namedLayers().map { ($0.key, $0.layer) }, uniquingKeysWith: { a, _ in a })
        var weights = Safetensors()
        var quantizers: [String: ExportActivationQuantization.Quantizer] = [:]
        for (key, parameter) in model.namedParameters() {
            let (owner, name) = split(key)
            guard let layer = layers[owner] else { continue }
            if layer is WeightQuantizer || layer is ActivationQuantizer { continue }
            if let weightLayer = layer as? any WeightLayer, name == "weight" {
                weights.setTensor(weightLayer.effectiveWeight().detached(), forKey: key)
                if let q = weightLayer.inputQuantizer { quantizers[owner] = .init(bits: q.bits, alpha: q.alpha.value.item) }
            } else if layer is BatchNorm2d, name == "num_batches_tracked" {
                let count = Int64(parameter.value.item.rounded())
                weights.setEntry(SafetensorsEntry(dtype: .int64, shape: [], bytes: withUnsafeBytes(of: count.littleEndian, Array.init)), forKey: key)
            } else {
                weights.setTensor(parameter.value.detached(), forKey: key)
            }
        }
        let normalization = TaskData.standardNormalization
        let c = spec.inChannels
        let preprocessing = ExportPreprocessing(
            mean: (0..<c).map { normalization.mean[$0 % normalization.mean.count] },
            std: (0..<c).map { normalization.standardDeviation[$0 % normalization.standardDeviation.count] },
            size: [spec.imageSize, spec.imageSize], channels: c)
        weights.metadata = [
            "format": "xmask-export", "xmask.task": task, "xmask.method": state.config.method.description,
            "xmask.model": try Safetensors.metadataJSON(spec),
            preprocessingKey: try Safetensors.metadataJSON(preprocessing),
        ]
        if !quantizers.isEmpty {
            weights.metadata[activationQuantizationKey] = try Safetensors.metadataJSON(ExportActivationQuantization(layers: quantizers))
        }
        var masks = try state.safetensors()
        for key in Array(state.head.keys) + Array(state.batchNorm.keys) { masks.removeEntry(forKey: key) }
        masks.metadata["format"] = "xmask-task-masks"
        masks.metadata["xmask.task"] = task
        return (weights, masks)
    }

    /// Writes task `task` of `bundle` to `url` and its masks to ``masksURL(for:)``, each
    /// atomically.
    ///
    /// - Returns: the masks file's URL.
    @discardableResult
    public static func write(bundle: TaskBundle, task: String, to url: URL) throws -> URL {
        let (model, state) = try bundle.loadTask(task)
        let (weights, masks) = try files(model: model, state: state, spec: bundle.manifest.backbone.model, task: task)
        let masksURL = masksURL(for: url)
        try weights.write(to: url)
        try masks.write(to: masksURL)
        return masksURL
    }

    /// The deployed task's logits on its dataset's test split, as ``evaluateBundle(_:reporter:)``
    /// computes them (row-major [count, classes]).
    public static func testLogits(bundle: TaskBundle, task: String) throws -> (logits: [Float], count: Int, classes: Int, accuracy: Double) {
        let entry = try bundle.task(named: task)
        let spec = bundle.manifest.backbone.model
        let (model, _) = try bundle.loadTask(task)
        let data = try TaskData(directory: URL(fileURLWithPath: entry.data), inChannels: spec.inChannels, imageSize: spec.imageSize,
                                classCount: entry.numClasses)
        let result = evaluate(model, on: data.test, options: data.evaluationOptions(), keepLogits: true)
        return (result.logits ?? [], data.test.count, entry.numClasses, result.accuracy)
    }

    /// `layer1.0.bn1.running_mean` → (`layer1.0.bn1`, `running_mean`).
    static func split(_ key: String) -> (owner: String, name: String) {
        guard let dot = key.lastIndex(of: ".") else { return ("", key) }
        return (String(key[..<dot]), String(key[key.index(after: dot)...]))
    }
}
