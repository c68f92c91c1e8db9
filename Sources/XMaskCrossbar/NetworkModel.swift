import Foundation

/// The names of the built-in networks: the model names of every command (`ModelSpec.names`,
/// `xmask hw --model`), with the input size and classes each is usually run at.
///
/// The crossbar model does not describe their layers: the shapes are the NN models' own
/// (`XMaskExperiments` derives a ``NetworkShape`` from the model `xmask pretrain` trains under
/// the same name, `NetworkModel.network(imageSize:classes:)`, docs/architecture.md "One owner
/// for each shared fact"), so layer names (`conv1`, `layer2.0.downsample.0`, `features.3`,
/// `fc`), padding and max-pools are the trained model's. The case comments say which network
/// each name is.
public enum NetworkModel: String, CaseIterable, Codable, Sendable {
    /// CIFAR ResNet-20 (He et al. 2016 §4.2): 3×3 stem of 16, stages 16/32/64 × 3 basic blocks,
    /// parameter-free "option A" shortcuts (as in ../shared/bench/models.py).
    case resnet20
    /// CIFAR ResNet-32: as ResNet-20 with 5 blocks per stage.
    case resnet32
    /// CIFAR ResNet-56: as ResNet-20 with 9 blocks per stage.
    case resnet56
    /// ResNet-18 for CIFAR: 3×3 stride-1 stem of 64, no max-pool, stages 64/128/256/512 × 2
    /// basic blocks, 1×1 projection shortcuts (../shared/bench/models.py, NeuroSim's CIFAR ResNet-18).
    case resnet18Cifar = "resnet18-cifar"
    /// ImageNet ResNet-18 (torchvision): 7×7 stride-2 stem, 3×3 stride-2 max-pool, basic blocks.
    case resnet18
    /// ImageNet ResNet-50 (torchvision v1.5: stride on the 3×3 conv of the bottleneck).
    case resnet50
    /// VGG-8 for CIFAR as in NeuroSim's `NetWork.csv`: six 3×3 convs (128,128,256,256,512,512,
    /// max-pool after every second), FC 8192→1024, FC 1024→classes (the head).
    case vgg8

    /// Input size the model is usually run at.
    public var defaultImageSize: Int {
        switch self {
        case .resnet18, .resnet50: return 224
        default: return 32
        }
    }

    /// Classes of the head when none is given.
    public var defaultClasses: Int {
        switch self {
        case .resnet18, .resnet50: return 1000
        default: return 10
        }
    }

    /// Accepts the raw value or a few spellings (`resnet18cifar`, `ResNet-50`).
    public static func parse(_ text: String) throws -> NetworkModel {
        let key = text.lowercased().replacingOccurrences(of: "_", with: "-")
        if let model = NetworkModel(rawValue: key) { return model }
        let squeezed = key.replacingOccurrences(of: "-", with: "")
        if let model = allCases.first(where: { $0.rawValue.replacingOccurrences(of: "-", with: "") == squeezed }) { return model }
        throw CrossbarError.unsupported("unknown model '\(text)': expected one of \(allCases.map(\.rawValue).joined(separator: ", "))")
    }
}
