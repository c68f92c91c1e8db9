import Testing
@testable import XMaskCrossbar
import XMaskExperiments

/// The built-in networks as the hardware model sees them (derived from the NN models by
/// XMaskExperiments' `NetworkModel.network(imageSize:classes:)`).
struct NetworkModelTests {
    func convWeights(_ model: NetworkModel, size: Int? = nil) throws -> Int {
        try model.network(imageSize: size ?? model.defaultImageSize).mappedLayers(includeClassifier: false).reduce(0) { $0 + $1.weights }
    }

    @Test func torchvisionParameterCounts() throws {
        // torchvision: ResNet-18 11,689,512 and ResNet-50 25,557,032 parameters, minus the fc
        // (512·1000 + 1000; 2048·1000 + 1000) and batch-norm weights and biases
        // (2 · 4,800 and 2 · 26,560 channels) = conv weights.
        #expect(try convWeights(.resnet18) == 11_689_512 - 513_000 - 9_600)
        #expect(try convWeights(.resnet50) == 25_557_032 - 2_049_000 - 53_120)
    }

    @Test func cifarResNet20Weights() throws {
        // Option-A shortcuts: stem 3·16·9, then per stage n blocks of two 3×3 convs.
        let stage1 = 6 * 16 * 16 * 9
        let stage2 = 32 * 16 * 9 + 5 * 32 * 32 * 9
        let stage3 = 64 * 32 * 9 + 5 * 64 * 64 * 9
        #expect(try convWeights(.resnet20) == 3 * 16 * 9 + stage1 + stage2 + stage3)
        let net = try NetworkModel.resnet20.network(imageSize: 32)
        #expect(net.layers.count == 20)  // 19 convs + fc
        #expect(net.layers.last?.isClassifier == true && net.layers.last?.weights == 64 * 10)
        #expect(try NetworkModel.resnet56.network(imageSize: 32).layers.count == 56)
        #expect(try NetworkModel.resnet32.network(imageSize: 32).layers.count == 32)
    }

    @Test func resnet18CifarHasProjectionShortcutsAndNoPool() throws {
        let net = try NetworkModel.resnet18Cifar.network(imageSize: 32, classes: 100)
        #expect(net.layers.filter { $0.name.hasSuffix("downsample.0") }.count == 3)
        #expect(net.layers[0].kernelHeight == 3 && net.layers[0].stride == 1 && !net.layers[0].maxPoolAfter)
        #expect(net.layers.last?.outputChannels == 100)
        #expect(net.layers.last(where: { !$0.isClassifier })?.outputPositions == 16)  // 4×4 in stage 4
    }

    @Test func resnet50FeatureMapsAt224() throws {
        let net = try NetworkModel.resnet50.network(imageSize: 224)
        #expect(net.layers[0].outputHeight == 112)
        #expect(net.layers[1].inputHeight == 56)  // after the max-pool
        #expect(net.layers.first(where: { $0.name == "layer4.2.conv3" })?.outputHeight == 7)
        // XBM Table II sizes the global buffer to 64 × 112 × 112.
        #expect(net.largestFeatureMapElements == 64 * 112 * 112)
        #expect(net.mappedLayers(includeClassifier: false).count == 53)
    }

    @Test func vgg8MatchesNeuroSimNetworkCSV() throws {
        // NeuroSim's NetWork.csv (VGG-8 for CIFAR-10).
        let neuroSim = """
        32,32,3,3,3,128,0,1
        32,32,128,3,3,128,1,1
        16,16,128,3,3,256,0,1
        16,16,256,3,3,256,1,1
        8,8,256,3,3,512,0,1
        8,8,512,3,3,512,1,1
        1,1,8192,1,1,1024,0,1
        1,1,1024,1,1,10,0,1
        """
        let csv = try NetworkShape.parseCSV(neuroSim, file: "NetWork.csv")
        let builtIn = try NetworkModel.vgg8.network(imageSize: 32)
        #expect(builtIn.csv() == csv.csv())
    }

    @Test func imageSizeScalesPositionsOnly() throws {
        let small = try NetworkModel.resnet18.network(imageSize: 112)
        let large = try NetworkModel.resnet18.network(imageSize: 224)
        #expect(small.layers.map(\.weights) == large.layers.map(\.weights))
        #expect(small.layers[0].outputPositions * 4 == large.layers[0].outputPositions)
    }

    @Test func shapesAreTheTrainedModels() throws {
        // VGG-8's 2×2 max-pools floor odd sizes as the NN model does (29 → 14 → 7 → 3), so fc1 takes
        // 512·3·3 features, the trained model's, and every 3×3 conv carries padding 1.
        let vgg = try NetworkModel.vgg8.network(imageSize: 29)
        #expect(vgg.layers.map(\.inputHeight) == [29, 29, 14, 14, 7, 7, 1, 1])
        #expect(vgg.layers.first { $0.name == "fc1" }?.inputChannels == 4608)
        #expect(vgg.layers.filter { $0.maxPoolAfter }.map(\.name) == ["features.3", "features.10", "features.17"])
        let r50 = try NetworkModel.resnet50.network(imageSize: 224)
        #expect(r50.layers[0].padding == 3 && r50.layers[0].maxPoolAfter && r50.layers[0].outputHeight == 112)
        #expect(r50.layers.first { $0.name == "layer2.0.downsample.0" }?.padding == 0)
        #expect(r50.layers.last?.isClassifier == true && r50.layers.filter(\.isClassifier).count == 1)
    }

    @Test func badSizesAreRefused() throws {
        #expect(throws: ExperimentError.self) { try NetworkModel.resnet50.network(imageSize: -224) }
        #expect(throws: ExperimentError.self) { try NetworkModel.resnet50.network(imageSize: 224, classes: 0) }
        #expect(throws: ExperimentError.self) { try NetworkModel.vgg8.network(imageSize: 4) }
        #expect(throws: CrossbarError.self) { try NetworkModel.parse("alexnet") }
        #expect(try NetworkModel.parse("ResNet_18-CIFAR") == .resnet18Cifar)
    }
}
