import Foundation

/// Built-in networks, described by their layer shapes at a given input size.
///
/// Layer names are the keys of the NN models `xmask pretrain` trains under the same name
/// (`conv1`, `layer2.0.conv1`, `layer2.0.downsample.0`, `features.3`, `fc`), so that mask files
/// written from trained models line up; a test in XMaskExperimentsTests compares the two conv
/// by conv. The raw values are the model names of every command (`ModelSpec.names`).
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

    /// The layer shapes at `imageSize × imageSize` input, the classifier (`classes` outputs) last.
    ///
    /// `imageSize` and `classes` are bounded like a network CSV's fields (IFM_H, Cout:
    /// ``NetworkShape/csvColumnMaxima``), so every count fits in 64 bits.
    public func network(imageSize: Int, classes: Int? = nil) throws -> NetworkShape {
        let maxSize = NetworkShape.csvColumnMaxima["IFM_H"]!, maxClasses = NetworkShape.csvColumnMaxima["Cout"]!
        guard (1...maxSize).contains(imageSize) else {
            throw CrossbarError.invalidField(field: "imageSize", value: String(imageSize), expected: "an integer in 1...\(maxSize)")
        }
        let classes = classes ?? defaultClasses
        guard (1...maxClasses).contains(classes) else {
            throw CrossbarError.invalidField(field: "classes", value: String(classes), expected: "an integer in 1...\(maxClasses)")
        }
        var b = Builder(size: imageSize)
        switch self {
        case .resnet20: b.cifarResNet(blocks: 3)
        case .resnet32: b.cifarResNet(blocks: 5)
        case .resnet56: b.cifarResNet(blocks: 9)
        case .resnet18Cifar:
            b.conv("conv1", 3, 64, kernel: 3)
            b.basicStages(widths: [64, 128, 256, 512], blocks: [2, 2, 2, 2], start: 64)
        case .resnet18:
            b.conv("conv1", 3, 64, kernel: 7, stride: 2)
            b.maxPool()
            b.basicStages(widths: [64, 128, 256, 512], blocks: [2, 2, 2, 2], start: 64)
        case .resnet50:
            b.conv("conv1", 3, 64, kernel: 7, stride: 2)
            b.maxPool()
            b.bottleneckStages(widths: [64, 128, 256, 512], blocks: [3, 4, 6, 3])
        case .vgg8:
            let widths = [128, 128, 256, 256, 512, 512]
            var cin = 3
            for (i, w) in widths.enumerated() {
                // torchvision `make_layers(batch_norm=True)` keys: conv, BN, ReLU (+ max-pool) per stage.
                b.conv("features.\(3 * i + i / 2)", cin, w, kernel: 3)
                if i % 2 == 1 { b.maxPool() }
                cin = w
            }
            b.fc("fc1", cin * b.size * b.size, 1024)
            b.channels = 1024
        }
        b.fc("fc", b.channels, classes, isClassifier: true)
        return NetworkShape(name: rawValue, layers: b.layers)
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

/// Walks a network, tracking the feature-map size and channel count.
private struct Builder {
    var size: Int
    var channels = 3
    var layers: [ConvLayerShape] = []

    mutating func conv(_ name: String, _ cin: Int, _ cout: Int, kernel: Int, stride: Int = 1) {
        layers.append(.conv(name, input: size, cin, cout, kernel: kernel, stride: stride))
        size = (size + stride - 1) / stride
        channels = cout
    }

    /// 3×3 stride-2 max-pool with padding 1: ⌈size/2⌉; marks the previous layer.
    mutating func maxPool() {
        layers[layers.count - 1].maxPoolAfter = true
        size = (size + 1) / 2
    }

    mutating func fc(_ name: String, _ fin: Int, _ fout: Int, isClassifier: Bool = false) {
        layers.append(ConvLayerShape(name: name, inputHeight: 1, inputWidth: 1, inputChannels: fin, kernelHeight: 1,
                                     kernelWidth: 1, outputChannels: fout, isClassifier: isClassifier))
    }

    mutating func cifarResNet(blocks: Int) {
        conv("conv1", 3, 16, kernel: 3)
        basicStages(widths: [16, 32, 64], blocks: [blocks, blocks, blocks], start: 16, projection: false)
    }

    /// Basic blocks (3×3, 3×3); the first block of a stage after the first has stride 2.
    /// With `projection`, a 1×1 conv shortcut where the shape changes (option B); else parameter-free (option A).
    mutating func basicStages(widths: [Int], blocks: [Int], start: Int, projection: Bool = true) {
        var cin = start
        for (stage, (width, count)) in zip(widths, blocks).enumerated() {
            for block in 0..<count {
                let stride = (stage > 0 && block == 0) ? 2 : 1
                let prefix = "layer\(stage + 1).\(block)"
                let inputSize = size
                conv("\(prefix).conv1", cin, width, kernel: 3, stride: stride)
                conv("\(prefix).conv2", width, width, kernel: 3)
                if projection && (stride != 1 || cin != width) {
                    layers.append(.conv("\(prefix).downsample.0", input: inputSize, cin, width, kernel: 1, stride: stride))
                }
                cin = width
            }
        }
        channels = cin
    }

    /// Bottleneck blocks (1×1, 3×3 with the stride, 1×1 ×4) with a 1×1 projection on the first block of a stage.
    mutating func bottleneckStages(widths: [Int], blocks: [Int]) {
        var cin = 64
        for (stage, (width, count)) in zip(widths, blocks).enumerated() {
            for block in 0..<count {
                let stride = (stage > 0 && block == 0) ? 2 : 1
                let prefix = "layer\(stage + 1).\(block)"
                let inputSize = size
                conv("\(prefix).conv1", cin, width, kernel: 1)
                conv("\(prefix).conv2", width, width, kernel: 3, stride: stride)
                conv("\(prefix).conv3", width, width * 4, kernel: 1)
                if block == 0 {
                    layers.append(.conv("\(prefix).downsample.0", input: inputSize, cin, width * 4, kernel: 1, stride: stride))
                }
                cin = width * 4
            }
        }
        channels = cin
    }
}
