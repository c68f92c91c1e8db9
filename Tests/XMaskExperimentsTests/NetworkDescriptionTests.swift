import Testing
import XMaskCrossbar
@testable import XMaskExperiments
import XMaskNN

/// Every command names a network the same way (`ModelSpec.names` is `NetworkModel`'s table), and
/// the network `xmask hw --model NAME` costs (`NetworkModel.network`) is, conv by conv, the one a
/// task of a `NAME` bundle is costed on (`HardwareCost.network` of the trained model), padding included.
struct NetworkDescriptionTests {
    @Test func namesAreTheHardwareModelsNames() {
        #expect(ModelSpec.names == NetworkModel.allCases.map(\.rawValue))
        #expect(ModelSpec.names.contains("resnet18") && ModelSpec.names.contains("resnet18-cifar"))
        #expect(throws: ExperimentError.self) {
            try ModelSpec(name: "resnet18-imagenet", inChannels: 3, numClasses: 10, imageSize: 32).validate()
        }
    }

    @Test(arguments: NetworkModel.allCases)
    func trainedNetworkIsTheCostedNetwork(_ architecture: NetworkModel) throws {
        let size = architecture.defaultImageSize
        let spec = ModelSpec(name: architecture.rawValue, inChannels: 3, numClasses: architecture.defaultClasses,
                             imageSize: size, quantization: nil)
        let fromModel = HardwareCost.network(of: try spec.build(seed: 0), name: spec.name, imageSize: size).layers
        // Fully connected layers (1×1 kernels on a 1×1 input) are linear layers in the NN model.
        let table = try architecture.network(imageSize: size).layers.filter {
            !($0.inputHeight == 1 && $0.inputWidth == 1 && $0.kernelHeight == 1 && $0.kernelWidth == 1)
        }
        func key(_ l: ConvLayerShape) -> [String] {
            [l.name, "\(l.inputHeight)x\(l.inputWidth)", "\(l.inputChannels)", "\(l.kernelHeight)x\(l.kernelWidth)", "\(l.outputChannels)", "\(l.stride)",
             "p\(l.padding.map(String.init) ?? "same")", "\(l.outputHeight)x\(l.outputWidth)"]
        }
        #expect(fromModel.map(key) == table.map(key))
        #expect(!fromModel.isEmpty)
    }
}
