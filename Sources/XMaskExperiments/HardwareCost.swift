import XMaskCrossbar
import XMaskMasks
import XMaskNN

/// A task's hardware cost from its real masks, on the bundle's crossbar geometry.
public struct HardwareCost {
    public var report: HardwareReport
    /// Bits the task stores besides head and batch norm: the report's count (the crossbar
    /// model's ``MaskMemory``, with the geometry's packing and KSM real-part bits).
    public var maskBits: Int

    /// The network as the hardware model sees it: every conv of `model` (the head is per task
    /// and not mapped), with its padding.
    public static func network(of model: any ImageClassifier, name: String, imageSize: Int) -> NetworkShape {
        let layers = model.layerShapes(inputSize: imageSize).filter { $0.kind == .convolution }.map { ConvLayerShape($0) }
        return NetworkShape(name: name, layers: layers)
    }

    /// The hardware model a task of `bundle` is costed on: `hardware`, which must use the
    /// bundle's crossbar geometry (refused otherwise, never overwritten), or without it the
    /// default preset's technology on the bundle's geometry.
    public static func model(_ hardware: HardwareModel?, for bundle: TaskBundle) throws -> HardwareModel {
        let geometry = bundle.manifest.geometry
        guard let hardware else {
            var preset = HardwarePreset.xbm32nm
            preset.geometry = geometry
            return HardwareModel(preset: preset)
        }
        guard hardware.preset.geometry == geometry else {
            throw ExperimentError.invalidOption(
                name: "hardware geometry", value: "\(hardware.preset.geometry)",
                expected: "the bundle's crossbar geometry \(geometry) (the task's masks are laid out on it)")
        }
        return hardware
    }

    /// Hardware report of `state` (a task of `bundle`) with its real column gating and re-programmed cells.
    /// `backbone` is a model holding the bundle's backbone weights (a task's state may be
    /// installed on it: only its frozen weights and quantizers are read). `hardware`: see
    /// ``model(_:for:)``.
    /// `inferences` is M of XMA2 Fig. 5's (M·E_inference + E_reprogramming)/(M·E_inference); the
    /// adapter passes the task's test-set size (the paper sums one sub-task's inference and
    /// re-programming energy without stating M).
    public static func of(state: TaskState, backbone: any ImageClassifier, bundle: TaskBundle, hardware: HardwareModel? = nil,
                          inferences: Int) throws -> HardwareCost {
        let spec = bundle.manifest.backbone.model
        let geometry = bundle.manifest.geometry
        let hw = try model(hardware, for: bundle)
        let masks = state.hardwareMasks(model: backbone, geometry: geometry)
        let report = try hw.report(network: network(of: backbone, name: spec.name, imageSize: spec.imageSize),
                                   method: state.config.method, activity: .masks(masks, file: "task \(state.config.method.name)"),
                                   inferences: max(inferences, 1))
        return HardwareCost(report: report, maskBits: report.totals.maskBits)
    }
}
