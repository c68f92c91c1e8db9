import Foundation
import Testing
@testable import XMaskCrossbar
import XMaskExperiments

/// The neurosim-v1.5-22nm preset on networks it was not fitted to (issue 14): leave one network out.
struct NeuroSimValidationTests {
    @Test func leaveOneNetworkOutWithinTenPercent() throws {
        let loo = try NeuroSimCalibration.leaveOneNetworkOut(.neuroSim22nm)
        #expect(Set(loo.map(\.network)) == Set(NeuroSimNetwork.allCases))
        for p in loo {
            #expect(abs(p.energyError) <= 0.10, "\(p.name): energy \(p.energyMicrojoules) µJ, \(p.energyError)")
            #expect(abs(p.areaError) <= 0.10, "\(p.name): area \(p.areaSquareMillimeters) mm², \(p.areaError)")
        }
    }

    @Test func shippedPresetWithinTenPercentOfEveryRow() throws {
        for p in try NeuroSimCalibration.predictions(.neuroSim22nm) {
            #expect(abs(p.energyError) <= 0.10, "\(p.name): energy \(p.energyMicrojoules) µJ")
            #expect(abs(p.areaError) <= 0.10, "\(p.name): area \(p.areaSquareMillimeters) mm²")
        }
    }

    @Test func embeddedNetworksAreTheCommittedCSVs() throws {
        // The CSVs NeuroSim ran on are committed in results/neurosim/; the library embeds the same text.
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../results/neurosim")
        for (file, text) in [("NetWork_resnet18_cifar.csv", NeuroSimNetwork.resnet18CifarCSV),
                             ("NetWork_resnet50.csv", NeuroSimNetwork.resnet50CSV),
                             ("NetWork_resnet18_imagenet.csv", NeuroSimNetwork.resnet18ImageNetCSV),
                             ("NetWork_vgg8.csv", NeuroSimNetwork.vgg8CSV)] {
            let committed = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            #expect(committed.trimmingCharacters(in: .whitespacesAndNewlines) == text, "\(file)")
        }
        // NeuroSim's ResNet-18/CIFAR has the layers of the trained `resnet18-cifar` (as a multiset).
        let builtIn = try NetworkModel.resnet18Cifar.network(imageSize: 32, classes: 100)
        func key(_ l: ConvLayerShape) -> String { "\(l.inputHeight),\(l.inputChannels),\(l.kernelHeight),\(l.outputChannels),\(l.stride)" }
        #expect(try NeuroSimNetwork.resnet18Cifar.shape().layers.map(key).sorted() == builtIn.layers.map(key).sorted())
    }

    @Test func neuroSimCountsInputVectorsWithoutPadding() {
        // 4×4 input, 3×3 kernel, stride 1: (4 − 3 + 1)² = 4 vectors; 56×56 3×3 stride 2: ⌊27 · 27⌋ = 729; 1×1 keeps H·W.
        #expect(LayerEvents.neuroSimInputVectors(.conv("a", input: 4, 8, 8, kernel: 3)) == 4)
        #expect(LayerEvents.neuroSimInputVectors(.conv("b", input: 56, 8, 8, kernel: 3, stride: 2)) == 729)
        #expect(LayerEvents.neuroSimInputVectors(.conv("c", input: 14, 8, 8, kernel: 1)) == 196)
    }
}
