import Foundation

/// DNN+NeuroSim V1.5 figures (tag 2DInferenceV1.5, default Param.cpp: 22 nm, RRAM 1T1R,
/// Ron 6 kΩ / Roff 102 kΩ, parallel read, 8 columns per ADC, voltage-mode multi-level sense-amp
/// ADC, pipelined with weight duplication, XY-bus) for ResNet-18 on CIFAR (3×3 stem, no max-pool,
/// 32×32, 100 classes), 4-bit weights, 2-bit cells, 5-bit ADC, random weights and 4-bit
/// activations with 50 % zeros, and seven variations. Measured by the xmask lead (issue 7);
/// energies in µJ per image (dynamic, leakage apart), areas in mm². The ``HardwarePreset/neuroSim22nm``
/// preset is calibrated on these rows only (``NeuroSimCalibration``).
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

    /// The eight reference rows.
    public static let all: [NeuroSimReferenceCase] = [
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

    /// The network of the reference runs: ResNet-18 for CIFAR at 32×32 with its 100-class head mapped.
    public static func network() throws -> NetworkShape {
        try NetworkModel.resnet18Cifar.network(imageSize: 32, classes: 100)
    }

    /// `preset` set to this case: array size, ADC and cell bits, input-bit density, pipelining.
    public func applied(to preset: HardwarePreset) -> HardwarePreset {
        var p = preset
        p.geometry.arrayRows = arraySize
        p.geometry.arrayColumns = arraySize
        p.geometry.adcBits = adcBits
        p.geometry.cellBits = cellBits
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
