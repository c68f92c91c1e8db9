import ArgumentParser
import Foundation
import XMaskCrossbar
import XMaskMasks
import XMaskNN
import XMaskTensor

/// `xmask-bench train`: images/s of a ResNet training step (forward, cross-entropy, backward,
/// optimizer step) on random data — the same work as `../shared/bench/bench_resnet.py`.
struct TrainBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Images/s of a ResNet training step (modes as bench_resnet.py: infer, train, qat, piggyback, xbm), and peak memory.")

    @Option(help: "resnet20 or resnet18-cifar (CIFAR-style).") var model = "resnet20"
    @Option(help: "Mode: infer, train, qat, piggyback, xbm.") var mode = "train"
    @Option(help: "Input as HxWxC, e.g. 32x32x3 or 28x28x1.") var input = "32x32x3"
    @Option(help: "Batch size.") var batch = 128
    @Option(parsing: .upToNextOption, help: "Thread counts.") var threads: [Int] = [1, 2]
    @Option(help: "Timed repetitions (one step each) after the warm-up.") var reps = 5
    @Option(help: "Warm-up steps.") var warmup = 2
    @Flag(help: "Print JSON lines.") var json = false

    struct Record: Codable {
        var model, mode, input: String
        /// The kernels' SIMD path (``KernelInfo/simdPath``; `XMASK_SIMD` forces it).
        var simd: String
        var batch, threads: Int
        var imagesPerSecondMedian, imagesPerSecondMin, imagesPerSecondMax: Double
        var peakResidentMegabytes: Double
    }

    func validate() throws {
        guard ["infer", "train", "qat", "piggyback", "xbm"].contains(mode) else { throw ValidationError("--mode \(mode): expected infer, train, qat, piggyback or xbm") }
        guard ["resnet20", "resnet18-cifar"].contains(model) else { throw ValidationError("--model \(model): expected resnet20 or resnet18-cifar") }
        guard parsedInput != nil else { throw ValidationError("--input \(input): expected HxWxC, e.g. 32x32x3") }
        guard batch >= 1, reps >= 1, warmup >= 0, threads.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--batch, --reps, --threads must be positive") }
    }

    var parsedInput: (h: Int, w: Int, c: Int)? {
        let parts = input.split(separator: "x").compactMap { Int($0) }
        return parts.count == 3 && parts.allSatisfy { $0 > 0 } ? (parts[0], parts[1], parts[2]) : nil
    }

    func run() throws {
        KernelInfo.keepLargeAllocations()
        let (h, w, c) = parsedInput!
        for t in threads {
            let record = try Parallelism.$threadCount.withValue(t) { try measure(h: h, w: w, c: c, threads: t) }
            if json {
                print(String(decoding: try JSONEncoder().encode(record), as: UTF8.self))
            } else {
                print(String(format: "%@ %@ %@ batch %d, SIMD %@, %d thread(s): median %.1f images/s (min %.1f, max %.1f), peak RSS %.0f MB",
                             model, mode, input, batch, record.simd, t, record.imagesPerSecondMedian, record.imagesPerSecondMin,
                             record.imagesPerSecondMax, record.peakResidentMegabytes))
            }
        }
    }

    func measure(h: Int, w: Int, c: Int, threads: Int) throws -> Record {
        var rng = SeededGenerator(seed: 0)
        let net: any ImageClassifier = model == "resnet20"
            ? ResNet.resnet20(inChannels: c, numClasses: 10, using: &rng)
            : ResNet.resnet18(inChannels: c, numClasses: 10, using: &rng)
        if mode == "qat" { try net.quantize(QuantizationConfig(firstLayerBits: 4, lastLayerBits: 4)) }
        var optimizerParameters = net.trainableParameters()
        if mode == "piggyback" || mode == "xbm" {
            let method: AdaptationMethod = mode == "piggyback" ? .piggyback : .xbm
            let adapter = TaskAdapter(model: net, config: MaskConfig(method: method), geometry: CrossbarGeometry(), numClasses: 10, seed: 1)
            optimizerParameters = adapter.maskParameters.map(\.parameter) + adapter.headAndNormParameters.map(\.parameter)
        }
        let x = Tensor.normal([batch, c, h, w], using: &rng)
        let labels = (0..<batch).map { _ in Int(rng.next() % 10) }
        let sgd = SGD(learningRate: 0.01, momentum: 0.9)
        func step() {
            if mode == "infer" {
                net.setTraining(false)
                blackHole(net(x))
                return
            }
            net.setTraining(true)
            let (_, grads) = valueAndGradient(of: net, parameters: optimizerParameters) { crossEntropy(logits: net(x), labels: labels) }
            sgd.step(parameters: optimizerParameters, gradients: grads)
        }
        for _ in 0..<warmup { step() }
        var rates: [Double] = []
        for _ in 0..<reps {
            let start = ContinuousClock.now
            step()
            let d = ContinuousClock.now - start
            rates.append(Double(batch) / (Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18))
        }
        rates.sort()
        return Record(model: model, mode: mode, input: input, simd: KernelInfo.simdPath, batch: batch, threads: threads,
                      imagesPerSecondMedian: rates[rates.count / 2], imagesPerSecondMin: rates.first!, imagesPerSecondMax: rates.last!,
                      peakResidentMegabytes: Self.peakResidentMegabytes())
    }

    /// VmHWM of this process (Linux), in MB.
    static func peakResidentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}

@inline(never) func blackHole<T>(_ x: T) { withExtendedLifetime(x) {} }
