import Foundation
import Testing
import XMaskNN
import XMaskTensor

@Suite struct StateDictTests {
    func keysAndShapes(_ model: some Layer) -> [(String, [Int])] {
        model.namedParameters().map { ($0.key, $0.parameter.value.shape) }
    }

    func expectSameList(_ ours: [(String, [Int])], _ golden: [(String, [Int])], _ name: String) {
        #expect(ours.map(\.0) == golden.map(\.0), "\(name): keys differ from PyTorch's state_dict() order")
        for ((k, a), (_, b)) in zip(ours, golden) where a != b {
            Issue.record("\(name): \(k) has shape \(a), PyTorch \(b)")
        }
    }

    @Test func resnet20KeysMatchPyTorch() throws {
        var rng = SeededGenerator(seed: 1)
        let golden = try Golden.keyLists()
        expectSameList(keysAndShapes(ResNet.resnet20(using: &rng)), try #require(golden["resnet20"]), "resnet20 A")
        expectSameList(keysAndShapes(ResNet.resnet20(shortcut: .b, using: &rng)), try #require(golden["resnet20_b"]), "resnet20 B")
    }

    @Test func resnet18And50KeysMatchTorchvision() throws {
        var rng = SeededGenerator(seed: 2)
        let golden = try Golden.keyLists()
        expectSameList(keysAndShapes(ResNet.resnet18(using: &rng)), try #require(golden["resnet18"]), "resnet18")
        expectSameList(keysAndShapes(ResNet.resnet50(using: &rng)), try #require(golden["resnet50"]), "resnet50")
    }

    @Test func quantizedResNet20KeysMatchReference() throws {
        var rng = SeededGenerator(seed: 3)
        let model = ResNet.resnet20(using: &rng)
        try model.quantize(QuantizationConfig())
        expectSameList(keysAndShapes(model), try #require(try Golden.keyLists()["resnet20_qat"]), "resnet20 QAT")
    }

    @Test func benchKeysMapToTorchvisionKeys() throws {
        let golden = try Golden.keyLists()
        let ours = try #require(golden["resnet20"]).map(\.0)
        let bench = try #require(golden["resnet20_models_py"]).map(\.0)
        #expect(bench.map { ResNet.torchvisionKey(fromBenchKey: $0, blocksPerStage: 3) } == ours)
    }

    @Test func buffersAreNotTrainable() {
        var rng = SeededGenerator(seed: 4)
        let model = ResNet.resnet20(using: &rng)
        let trainable = Set(model.trainableParameters().map(ObjectIdentifier.init))
        for (key, p) in model.namedParameters() {
            let isBuffer = key.hasSuffix("running_mean") || key.hasSuffix("running_var") || key.hasSuffix("num_batches_tracked")
            #expect(trainable.contains(ObjectIdentifier(p)) == !isBuffer, "\(key)")
        }
        // PyTorch counts 269,722 parameters for the same network (He et al. quote 0.27 M).
        #expect(model.trainableParameters().reduce(0) { $0 + $1.value.count } == 269_722)
    }

    @Test func saveLoadRoundTrip() throws {
        var rng = SeededGenerator(seed: 5)
        let a = ResNet.resnet20(using: &rng)
        let b = ResNet.resnet20(using: &rng)
        #expect(a.stateDict()["conv1.weight"]!.scalars != b.stateDict()["conv1.weight"]!.scalars)
        // Through the safetensors format, as a checkpoint would go.
        let bytes = Safetensors(tensors: a.stateDict()).serialized()
        try b.load(stateDict: try Safetensors(data: bytes).tensors())
        let sa = a.stateDict(), sb = b.stateDict()
        #expect(Set(sa.keys) == Set(sb.keys))
        for (k, v) in sa { #expect(sb[k]!.scalars == v.scalars, "\(k)") }
        a.setTraining(false)
        b.setTraining(false)
        let x = Tensor.normal([1, 3, 32, 32], using: &rng)
        #expect(a(x).scalars == b(x).scalars)
    }

    @Test func strictLoadNamesEveryProblem() throws {
        var rng = SeededGenerator(seed: 6)
        let model = ResNet.resnet20(using: &rng)
        var state = model.stateDict()
        state["layer1.0.conv1.weight"] = nil
        state["layer9.0.conv1.weight"] = Tensor.zeros([1])
        state["fc.weight"] = Tensor.zeros([100, 64])
        let before = model.stateDict()["fc.bias"]!.scalars
        state["fc.bias"] = Tensor.zeros([10])
        let error = #expect(throws: StateDictError.self) { try model.load(stateDict: state) }
        #expect(error?.problems == [
            .wrongShape(key: "fc.weight", expected: [10, 64], found: [100, 64]),
            .missing(key: "layer1.0.conv1.weight", expectedShape: [16, 16, 3, 3]),
            .unexpected(key: "layer9.0.conv1.weight", shape: [1]),
        ])
        #expect(error?.description.contains("fc.weight") == true)
        #expect(error?.description.contains("[100, 64]") == true)
        // All or nothing: fc.bias (valid) was not applied.
        #expect(model.stateDict()["fc.bias"]!.scalars == before)
    }

    @Test func nonStrictLoadSkipsMissingAndUnexpectedButNotShapes() throws {
        var rng = SeededGenerator(seed: 7)
        let model = ResNet.resnet20(using: &rng)
        try model.load(stateDict: ["fc.bias": Tensor.ones([10]), "extra": Tensor.zeros([2])], strict: false)
        #expect(model.fc.bias!.value.scalars == [Float](repeating: 1, count: 10))
        #expect(throws: StateDictError.self) { try model.load(stateDict: ["fc.bias": Tensor.ones([3])], strict: false) }
    }

    @Test func setTrainingReachesEveryLayer() {
        var rng = SeededGenerator(seed: 8)
        let model = ResNet.resnet18(using: &rng)
        model.setTraining(false)
        #expect(model.namedLayers().allSatisfy { !$0.layer.isTraining })
        model.setTraining(true)
        #expect(model.namedLayers().allSatisfy { $0.layer.isTraining })
    }
}
