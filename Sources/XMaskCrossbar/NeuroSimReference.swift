import Foundation

/// DNN+NeuroSim V1.5 figures (tag 2DInferenceV1.5, default Param.cpp: 22 nm, RRAM 1T1R,
/// Ron 6 kΩ / Roff 102 kΩ, parallel read, 8 columns per ADC, voltage-mode multi-level sense-amp
/// ADC, pipelined with weight duplication, XY-bus) for ResNet-18 on CIFAR (3×3 stem, no max-pool,
/// 32×32, 100 classes), 4-bit weights, 2-bit cells, 5-bit ADC, random weights and 4-bit
/// activations with 50 % zeros, and seven variations, measured by the xmask lead (issue 7); and
/// six runs of other networks (issue 14, 2026-12-02, same Param.cpp, `results/neurosim/README.md`
/// gives the settings and commands): ResNet-50 and ResNet-18 at 224 (ImageNet, 1×1 bottlenecks and
/// shortcuts) at 128×128 and 64×64 (ResNet-18 also with a 7-bit ADC), VGG-8/CIFAR with 8-bit weights and activations at 128×128 and
/// 64×64. Energies in µJ per image (dynamic, leakage apart), areas in mm². The
/// ``HardwarePreset/neuroSim22nm`` preset is calibrated on all rows (``NeuroSimCalibration``).
public struct NeuroSimReferenceCase: Sendable, Equatable {
    public var name: String
    /// Rows = columns of the subarrays.
    public var arraySize: Int
    public var adcBits: Int
    public var cellBits: Int
    /// Fraction of activations that are 0.
    public var zeroActivations: Double
    /// Pipelined with weight duplication (NeuroSim speedUpDegree 8) or layer by layer.
    public var pipelined: Bool
    public var energyMicrojoules: Double
    public var adcMicrojoules: Double
    public var accumulationMicrojoules: Double
    /// Buffer, interconnect and other periphery.
    public var otherMicrojoules: Double
    public var bufferMicrojoules: Double?
    public var interconnectMicrojoules: Double?
    public var areaSquareMillimeters: Double
    /// The network of the run.
    public var network: NeuroSimNetwork = .resnet18Cifar
    public var weightBits = 4
    public var activationBits = 4

    /// Every reference row: the eight ResNet-18/CIFAR rows, then the other networks.
    public static var all: [NeuroSimReferenceCase] { resnet18Cifar + otherNetworks }

    /// Runs of issue 14 (2026-12-02): `main NET.csv WB WB_IN N N traces…` of tag 2DInferenceV1.5 built with
    /// cellBit 2, levelOutput 32 and numColSubArray N in Param.cpp, random traces (`results/neurosim/README.md`).
    public static let otherNetworks: [NeuroSimReferenceCase] = [
        .init(name: "ResNet-50/224, 128×128", arraySize: 128, adcBits: 5, cellBits: 2, zeroActivations: 0.5, pipelined: true,
              energyMicrojoules: 83.23, adcMicrojoules: 39.53, accumulationMicrojoules: 4.212, otherMicrojoules: 39.49,
              bufferMicrojoules: 0.8117, interconnectMicrojoules: 24.84, areaSquareMillimeters: 89.09, network: .resnet50),
        .init(name: "ResNet-50/224, 64×64", arraySize: 64, adcBits: 5, cellBits: 2, zeroActivations: 0.5, pipelined: true,
              energyMicrojoules: 94.44, adcMicrojoules: 44.57, accumulationMicrojoules: 7.169, otherMicrojoules: 42.70,
              bufferMicrojoules: 0.9049, interconnectMicrojoules: 22.25, areaSquareMillimeters: 95.23, network: .resnet50),
        .init(name: "ResNet-18/224, 128×128", arraySize: 128, adcBits: 5, cellBits: 2, zeroActivations: 0.5, pipelined: true,
              energyMicrojoules: 33.57, adcMicrojoules: 15.91, accumulationMicrojoules: 2.061, otherMicrojoules: 15.60,
              bufferMicrojoules: 0.3833, interconnectMicrojoules: 9.151, areaSquareMillimeters: 37.89, network: .resnet18ImageNet),
        .init(name: "ResNet-18/224, 7-bit ADC", arraySize: 128, adcBits: 7, cellBits: 2, zeroActivations: 0.5, pipelined: true,
              energyMicrojoules: 47.93, adcMicrojoules: 25.40, accumulationMicrojoules: 2.548, otherMicrojoules: 19.98,
              bufferMicrojoules: 0.4234, interconnectMicrojoules: 13.29, areaSquareMillimeters: 47.65, network: .resnet18ImageNet),
        .init(name: "VGG-8 8-bit, 128×128", arraySize: 128, adcBits: 5, cellBits: 2, zeroActivations: 0.5, pipelined: true,
              energyMicrojoules: 28.68, adcMicrojoules: 17.78, accumulationMicrojoules: 1.706, otherMicrojoules: 9.189,
              bufferMicrojoules: 0.1341, interconnectMicrojoules: 3.000, areaSquareMillimeters: 47.95, network: .vgg8,
              weightBits: 8, activationBits: 8),
        .init(name: "VGG-8 8-bit, 64×64", arraySize: 64, adcBits: 5, cellBits: 2, zeroActivations: 0.5, pipelined: true,
              energyMicrojoules: 35.72, adcMicrojoules: 20.60, accumulationMicrojoules: 3.372, otherMicrojoules: 11.75,
              bufferMicrojoules: 0.1891, interconnectMicrojoules: 2.993, areaSquareMillimeters: 78.31, network: .vgg8,
              weightBits: 8, activationBits: 8),
    ]

    /// The eight ResNet-18/CIFAR rows of issue 7.
    public static let resnet18Cifar: [NeuroSimReferenceCase] = [
        .init(name: "128×128 subarrays", arraySize: 128, adcBits: 5, cellBits: 2, zeroActivations: 0.5, pipelined: true,
              energyMicrojoules: 9.01, adcMicrojoules: 4.06, accumulationMicrojoules: 0.59, otherMicrojoules: 4.36,
              bufferMicrojoules: 0.10, interconnectMicrojoules: 2.64, areaSquareMillimeters: 74.33),
        .init(name: "128×128, layer by layer", arraySize: 128, adcBits: 5, cellBits: 2, zeroActivations: 0.5, pipelined: false,
              energyMicrojoules: 8.70, adcMicrojoules: 4.06, accumulationMicrojoules: 0.57, otherMicrojoules: 4.07,
              bufferMicrojoules: 0.10, interconnectMicrojoules: 2.35, areaSquareMillimeters: 30.77),
        .init(name: "64×64", arraySize: 64, adcBits: 5, cellBits: 2, zeroActivations: 0.5, pipelined: true,
              energyMicrojoules: 9.44, adcMicrojoules: 4.35, accumulationMicrojoules: 0.75, otherMicrojoules: 4.34,
              bufferMicrojoules: 0.11, interconnectMicrojoules: 2.33, areaSquareMillimeters: 99.86),
        .init(name: "4-bit ADC", arraySize: 128, adcBits: 4, cellBits: 2, zeroActivations: 0.5, pipelined: true,
              energyMicrojoules: 8.24, adcMicrojoules: 3.63, accumulationMicrojoules: 0.52, otherMicrojoules: 4.08,
              bufferMicrojoules: nil, interconnectMicrojoules: nil, areaSquareMillimeters: 70.88),
        .init(name: "7-bit ADC", arraySize: 128, adcBits: 7, cellBits: 2, zeroActivations: 0.5, pipelined: true,
              energyMicrojoules: 12.94, adcMicrojoules: 6.63, accumulationMicrojoules: 0.73, otherMicrojoules: 5.58,
              bufferMicrojoules: nil, interconnectMicrojoules: nil, areaSquareMillimeters: 96.39),
        .init(name: "1-bit cells", arraySize: 128, adcBits: 5, cellBits: 1, zeroActivations: 0.5, pipelined: true,
              energyMicrojoules: 15.61, adcMicrojoules: 8.12, accumulationMicrojoules: 1.03, otherMicrojoules: 6.46,
              bufferMicrojoules: nil, interconnectMicrojoules: nil, areaSquareMillimeters: 146.9),
        .init(name: "20 % zero activations", arraySize: 128, adcBits: 5, cellBits: 2, zeroActivations: 0.2, pipelined: true,
              energyMicrojoules: 11.04, adcMicrojoules: 5.91, accumulationMicrojoules: 0.59, otherMicrojoules: 4.54,
              bufferMicrojoules: nil, interconnectMicrojoules: nil, areaSquareMillimeters: 74.33),
        .init(name: "80 % zero activations", arraySize: 128, adcBits: 5, cellBits: 2, zeroActivations: 0.8, pipelined: true,
              energyMicrojoules: 6.98, adcMicrojoules: 2.21, accumulationMicrojoules: 0.59, otherMicrojoules: 4.18,
              bufferMicrojoules: nil, interconnectMicrojoules: nil, areaSquareMillimeters: 74.33),
    ]

    /// The network of the issue-7 runs: ResNet-18 for CIFAR at 32×32 with its 100-class head mapped.
    public static func network() throws -> NetworkShape {
        try NeuroSimNetwork.resnet18Cifar.shape()
    }

    /// `preset` set to this case: array size, ADC and cell bits, input-bit density, pipelining.
    public func applied(to preset: HardwarePreset) -> HardwarePreset {
        var p = preset
        p.geometry.arrayRows = arraySize
        p.geometry.arrayColumns = arraySize
        p.geometry.adcBits = adcBits
        p.geometry.cellBits = cellBits
        p.geometry.weightBits = weightBits
        p.geometry.activationBits = activationBits
        p.geometry.pipelineSpeedUp = pipelined ? 8 : 1
        p.technology.inputBitDensity = inputBitDensity(zeroFraction: zeroActivations, activationBits: p.geometry.activationBits)
        return p
    }
}

/// Fraction of input bits that are 1 for random `activationBits`-bit activations of which a
/// fraction `zeroFraction` is 0 and the rest uniform over 1 … 2^b − 1: (1 − z) · mean popcount / b.
public func inputBitDensity(zeroFraction: Double, activationBits: Int) -> Double {
    let top = (1 << activationBits) - 1
    let ones = (1...max(top, 1)).reduce(0) { $0 + $1.nonzeroBitCount }
    return (1 - zeroFraction) * Double(ones) / Double(top * activationBits)
}
