import Foundation
import Testing
import XMaskNN
import XMaskTensor

@Suite struct ModelTests {
    @Test(arguments: [(3, 32), (1, 28)])
    func cifarResNetsRunOnBothInputSizes(channels: Int, size: Int) {
        var rng = SeededGenerator(seed: 51)
        for shortcut in ResNetShortcut.allCases {
            let model = ResNet.resnet20(inChannels: channels, numClasses: 7, shortcut: shortcut, using: &rng)
            let y = model(Tensor.normal([2, channels, size, size], using: &rng))
            #expect(y.shape == [2, 7])
            #expect(y.scalars.allSatisfy { $0.isFinite })
        }
    }

    @Test func depthsAndBlockCounts() {
        var rng = SeededGenerator(seed: 52)
        for (depth, model) in [(20, ResNet.resnet20(using: &rng)), (32, ResNet.resnet32(using: &rng)), (56, ResNet.resnet56(using: &rng))] {
            // 1 stem conv + 2 per basic block + fc = depth
            #expect(model.convolutions.count + 1 == depth)
            #expect(model.stages.map(\.layers.count) == Array(repeating: (depth - 2) / 6, count: 3))
        }
    }

    @Test func resnet18WithImageNetStemRunsOn28x28() {
        var rng = SeededGenerator(seed: 53)
        let r18 = ResNet.resnet18(inChannels: 1, numClasses: 5, stem: .imagenet, using: &rng)
        #expect(r18(Tensor.normal([1, 1, 28, 28], using: &rng)).shape == [1, 5])
    }

    @Test func resnet50RunsOn32x32() {
        var rng = SeededGenerator(seed: 58)
        let r50 = ResNet.resnet50(numClasses: 3, using: &rng)
        #expect(r50(Tensor.normal([1, 3, 32, 32], using: &rng)).shape == [1, 3])
    }

    @Test(arguments: [(3, 32), (1, 28)])
    func vgg8RunsOnBothInputSizes(channels: Int, size: Int) {
        var rng = SeededGenerator(seed: 59)
        let vgg = VGG8(inChannels: channels, numClasses: 10, inputHeight: size, inputWidth: size, using: &rng)
        #expect(vgg(Tensor.normal([1, channels, size, size], using: &rng)).shape == [1, 10])
        #expect(vgg.fc1.inFeatures == 512 * (size / 8) * (size / 8))
    }

    @Test func resnet20LayerShapesByHand() {
        var rng = SeededGenerator(seed: 54)
        let model = ResNet.resnet20(using: &rng)
        let shapes = model.layerShapes(inputSize: 32)
        #expect(shapes.map(\.name) == model.convolutions.map(\.key) + ["fc"])
        let byName = Dictionary(shapes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byName["conv1"] == LayerShape(name: "conv1", kind: .convolution, inChannels: 3, outChannels: 16, kernelHeight: 3,
                                              kernelWidth: 3, stride: 1, padding: 1, inputHeight: 32, inputWidth: 32))
        #expect(byName["layer2.0.conv1"].map { ($0.inChannels, $0.stride, $0.inputHeight, $0.outputHeight) } ?? (0, 0, 0, 0) == (16, 2, 32, 16))
        #expect(byName["layer3.2.conv2"]?.inputHeight == 8)
        #expect(byName["fc"]?.kind == .linear && byName["fc"]?.inChannels == 64)
        // He et al.'s CIFAR ResNet-20: 16·3·9·32² + 6·16²·9·32² + (16·32 + 5·32²)·9·16² + (32·64 + 5·64²)·9·8² + 64·10
        let macs = 16 * 3 * 9 * 1024 + 6 * 256 * 9 * 1024 + (16 * 32 + 5 * 32 * 32) * 9 * 256 + (32 * 64 + 5 * 64 * 64) * 9 * 64 + 640
        #expect(shapes.reduce(0) { $0 + $1.multiplyAccumulates } == macs)
        #expect(model.layerShapes(inputSize: 28).first { $0.name == "layer3.0.conv2" }?.inputHeight == 7)
    }

    @Test func resnet50And18ImageNetCostsMatchPublishedFigures() {
        var rng = SeededGenerator(seed: 55)
        // torchvision's model cards: ResNet-50 4.09 G multiply-adds, ResNet-18 1.81 G, at 224×224.
        let resnet50 = ResNet.resnet50(using: &rng)
        let r50 = resnet50.layerShapes(inputSize: 224)
        let macs50 = Double(r50.reduce(0) { $0 + $1.multiplyAccumulates })
        #expect(abs(macs50 / 4.09e9 - 1) < 0.01, "\(macs50)")
        #expect(r50.first { $0.name == "layer4.2.conv3" }?.inputHeight == 7)
        #expect(r50.first { $0.name == "layer2.0.downsample.0" }.map { ($0.inChannels, $0.outChannels, $0.stride, $0.inputHeight) } ?? (0, 0, 0, 0)
                == (256, 512, 2, 56))
        let r18 = ResNet.resnet18(numClasses: 1000, stem: .imagenet, using: &rng).layerShapes(inputSize: 224)
        #expect(abs(Double(r18.reduce(0) { $0 + $1.multiplyAccumulates }) / 1.81e9 - 1) < 0.01)
        // 53 convolutions + fc, in state-dict order; torchvision's 25,557,032 parameters.
        #expect(r50.count == 54)
        #expect(r50.map(\.name) == resnet50.convolutions.map(\.key) + ["fc"])
        #expect(resnet50.trainableParameters().reduce(0) { $0 + $1.value.count } == 25_557_032)
    }

    @Test func vgg8ShapesByHand() {
        var rng = SeededGenerator(seed: 56)
        let vgg = VGG8(using: &rng)
        let shapes = vgg.layerShapes(inputSize: 32)
        #expect(shapes.map(\.name) == ["features.0", "features.3", "features.7", "features.10", "features.14", "features.17", "fc1", "fc"])
        #expect(shapes.map(\.inputHeight) == [32, 32, 16, 16, 8, 8, 1, 1])
        let macs = 3 * 128 * 9 * 1024 + 128 * 128 * 9 * 1024 + 128 * 256 * 9 * 256 + 256 * 256 * 9 * 256
            + 256 * 512 * 9 * 64 + 512 * 512 * 9 * 64 + 8192 * 1024 + 1024 * 10
        #expect(shapes.reduce(0) { $0 + $1.multiplyAccumulates } == macs)
        #expect(vgg.convolutions.map(\.key) == Array(shapes.prefix(6).map(\.name)))
    }

    @Test func headCanBeReplaced() {
        var rng = SeededGenerator(seed: 57)
        let model = ResNet.resnet20(using: &rng)
        model.head = Linear(64, 3, using: &rng)
        #expect(model.namedParameters().first { $0.key == "fc.weight" }?.parameter.value.shape == [3, 64])
        #expect(model(Tensor.normal([1, 3, 32, 32], using: &rng)).shape == [1, 3])
    }
}
