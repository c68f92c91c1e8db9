import XMaskCrossbar
import XMaskMasks
import XMaskNN

/// A task's hardware cost from its real masks, on the bundle's crossbar geometry.
public struct HardwareCost {
    public var report: HardwareReport
    /// Bits the task stores besides head and batch norm, counted from its deployed masks.
    public var maskBits: Int

    /// The network as the hardware model sees it: every conv of `model` (the head is per task
    /// and not mapped), "same"-padded as the crossbar model assumes.
    public static func network(of model: any ImageClassifier, name: String, imageSize: Int) -> NetworkShape {
        let layers = model.layerShapes(inputSize: imageSize).filter { $0.kind == .convolution }.map {
            ConvLayerShape(name: $0.name, inputHeight: $0.inputHeight, inputWidth: $0.inputWidth, inputChannels: $0.inChannels,
                           kernelHeight: $0.kernelHeight, kernelWidth: $0.kernelWidth, outputChannels: $0.outChannels,
                           stride: $0.stride)
        }
        return NetworkShape(name: name, layers: layers)
    }

    /// Hardware report of `state` (a task of `bundle`) with its real column gating and re-programmed cells.
    /// `inferences` is M of XMA2 Fig. 5's (M·E_inference + E_reprogramming)/(M·E_inference); the
    /// adapter passes the task's test-set size (the paper sums one sub-task's inference and
    /// re-programming energy without stating M).
    public static func of(state: TaskState, bundle: TaskBundle, hardware: HardwareModel? = nil, inferences: Int) throws -> HardwareCost {
        let model = try bundle.loadBackbone()
        let spec = bundle.manifest.backbone.model
        var hw = hardware ?? HardwareModel()
        hw.preset.geometry = bundle.manifest.geometry
        let masks = state.hardwareMasks(model: model, geometry: bundle.manifest.geometry)
        let report = try hw.report(network: network(of: model, name: spec.name, imageSize: spec.imageSize),
                                   method: state.config.method, activity: .masks(masks, file: "task \(state.config.method.name)"),
                                   inferences: max(inferences, 1))
        return HardwareCost(report: report, maskBits: state.maskBits(weightBits: bundle.manifest.geometry.weightBits))
    }
}
