import Foundation
import XMaskCrossbar
@testable import XMaskExperiments
import XMaskMasks
import XMaskTensor

/// A scratch directory removed when the value is released.
final class ScratchDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("xmask-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Writes a small learnable IDX dataset (raw, not gzip): class c draws a bright square in
/// quadrant c mod 4 (plus noise), so a network can separate classes within a few steps.
func writeSyntheticIDX(to directory: URL, size: Int = 8, classes: Int = 3, train: Int = 96, test: Int = 48, seed: UInt64) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var rng = SeededGenerator(seed: seed)
    func header(_ magic: UInt32, _ dims: [Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        for v in [magic] + dims.map(UInt32.init) { bytes += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
        return bytes
    }
    for (prefix, n) in [("train", train), ("t10k", test)] {
        var pixels = [UInt8](repeating: 0, count: n * size * size)
        var labels = [UInt8](repeating: 0, count: n)
        for i in 0..<n {
            let c = i % classes
            labels[i] = UInt8(c)
            let half = size / 2
            let (oy, ox) = ((c % 4) / 2 * half, (c % 4) % 2 * half)
            for y in 0..<size {
                for x in 0..<size {
                    let inside = y >= oy && y < oy + half && x >= ox && x < ox + half
                    let noise = Int(rng.next() % 60)
                    pixels[(i * size + y) * size + x] = UInt8(min(255, (inside ? 180 : 20) + noise))
                }
            }
        }
        try Data(header(0x0000_0803, [n, size, size]) + pixels)
            .write(to: directory.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
        try Data(header(0x0000_0801, [n]) + labels).write(to: directory.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
    }
}

/// A tiny 4-bit ResNet-20 backbone on 8×8 synthetic data, saved as a bundle.
func makeTinyBundle(in scratch: ScratchDirectory, name: String = "bundle", epochs: Int = 1, seed: UInt64 = 1,
                    geometry: CrossbarGeometry = CrossbarGeometry()) throws -> TaskBundle {
    let data = scratch.url.appendingPathComponent("backbone-data")
    if !FileManager.default.fileExists(atPath: data.path) { try writeSyntheticIDX(to: data, classes: 4, seed: 100) }
    var config = PretrainConfig(model: ModelSpec(name: "resnet20", inChannels: 1, numClasses: 4, imageSize: 8), data: data.path, epochs: epochs)
    config.batchSize = 32
    config.seed = seed
    let out = scratch.url.appendingPathComponent(name)
    _ = try Pretrainer(config: config, outDirectory: out, geometry: geometry).run(resume: false)
    return try TaskBundle.open(out)
}

func tinyAdaptConfig(task: String, data: URL, method: AdaptationMethod, steps: Int = 4) -> AdaptConfig {
    var options = AdaptOptions()
    options.steps = steps
    options.batchSize = 16
    options.recalibrationBatches = 2
    return AdaptConfig(task: task, data: data.path, method: method, classes: 3, seed: 1, options: options)
}

func fileBytes(_ url: URL) -> Data? { FileManager.default.contents(atPath: url.path) }
