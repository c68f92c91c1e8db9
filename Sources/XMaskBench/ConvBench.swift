import ArgumentParser
import Foundation
import XMaskTensor

/// `xmask-bench conv`: forward, backward-input and backward-weight of each distinct
/// convolution of ResNet-20 (or ResNet-18 for CIFAR) at batch 128, and the network's total.
struct ConvBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv",
        abstract: "Conv2D kernels: ms per layer (forward + backward) of ResNet-20/18 at batch 128, and the total.")

    @Option(help: "resnet20 or resnet18-cifar (CIFAR variant).")
    var model: String = "resnet20"

    @Option(help: "Batch size.")
    var batch: Int = 128

    @Option(parsing: .upToNextOption, help: "Thread counts to run with.")
    var threads: [Int] = [1, 2]

    @Option(help: "Timed repetitions per kernel (after one warm-up).")
    var reps: Int = 5

    @Flag(help: "Time with the process's CPU time instead of the wall clock (meaningful at --threads 1 on a loaded machine).")
    var cpuClock = false

    @Flag(help: "Print one JSON array instead of a table.")
    var json = false

    func validate() throws {
        guard ["resnet20", "resnet18-cifar"].contains(model) else { throw ValidationError("--model: resnet20 or resnet18-cifar, got \(model)") }
        guard batch >= 1, reps >= 1, threads.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--batch, --reps and --threads must be positive")
        }
    }

    func run() throws {
        let layers = (model == "resnet20" ? ResNetConvLayer.resnet20 : ResNetConvLayer.resnet18).map {
            var layer = $0
            layer.shape.batch = batch
            return layer
        }
        var records: [KernelBenchRecord] = []
        if !json {
            print("# xmask-bench conv — \(model), batch \(batch), SIMD path \(KernelInfo.simdPath)"
                  + (cpuClock ? ", CPU-time clock" : ", wall clock"))
        }
        for t in threads {
            var total = 0.0, totalFlops = 0.0
            for layer in layers {
                var layerSeconds = 0.0
                for (kernel, seconds) in Self.time(layer.shape, threads: t, reps: reps, cpuClock: cpuClock) {
                    let record = KernelBenchRecord(name: "\(layer.name) \(kernel)", detail: layer.detail, threads: t,
                                                   flops: layer.flops, seconds: seconds)
                    records.append(record)
                    if !json { print(record.line) }
                    // The first layer's input needs no gradient.
                    if kernel == "bwd-input" && layer.isFirst { continue }
                    layerSeconds += seconds.median
                    totalFlops += layer.flops * Double(layer.count)
                }
                total += layerSeconds * Double(layer.count)
            }
            let record = KernelBenchRecord(name: "\(model) total fwd+bwd", detail: "Σ count × layer (median)",
                                           threads: t, flops: totalFlops, seconds: (total, total))
            records.append(record)
            if !json { print(record.line) }
        }
        if json { print(KernelBenchRecord.json(records)) }
    }

    /// Min and median seconds of the three kernels on `s` with `threads` threads.
    static func time(_ s: Conv2DShape, threads: Int, reps: Int, cpuClock: Bool) -> [(String, (min: Double, median: Double))] {
        var rng = SeededGenerator(seed: 9)
        func random(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1, using: &rng) } }
        let input = random(s.batch * s.inChannels * s.height * s.width)
        let weight = random(s.outChannels * s.inChannels * s.kernelHeight * s.kernelWidth)
        let bias = random(s.outChannels)
        let gradOutput = random(s.batch * s.outChannels * s.outHeight * s.outWidth)
        var output = [Float](repeating: 0, count: gradOutput.count)
        var gradInput = [Float](repeating: 0, count: input.count)
        var gradWeight = [Float](repeating: 0, count: weight.count)
        return Parallelism.$threadCount.withValue(threads) {
            let forward = KernelBenchTiming.secondsPerRun(reps: reps, minSeconds: 0, cpuClock: cpuClock) {
                conv2dForward(s, input: input, weight: weight, bias: bias, output: &output)
                kernelBenchBlackHole(output[0])
            }
            let backwardInput = KernelBenchTiming.secondsPerRun(reps: reps, minSeconds: 0, cpuClock: cpuClock) {
                conv2dBackwardInput(s, gradOutput: gradOutput, weight: weight, gradInput: &gradInput)
                kernelBenchBlackHole(gradInput[0])
            }
            let backwardWeight = KernelBenchTiming.secondsPerRun(reps: reps, minSeconds: 0, cpuClock: cpuClock) {
                conv2dBackwardWeight(s, input: input, gradOutput: gradOutput, gradWeight: &gradWeight)
                kernelBenchBlackHole(gradWeight[0])
            }
            return [("forward", forward), ("bwd-input", backwardInput), ("bwd-weight", backwardWeight)]
        }
    }
}

/// One distinct convolution of a CIFAR ResNet and how many times the network uses it.
struct ResNetConvLayer {
    var name: String
    var shape: Conv2DShape
    /// Uses in the network (0: listed for information, not in the total — e.g. option-B
    /// projections, which ResNet-20's option-A shortcut does not have).
    var count: Int
    var isFirst = false

    static func conv(_ name: String, _ cin: Int, _ cout: Int, _ size: Int, kernel: Int = 3, stride: Int = 1,
                     count: Int, batch: Int = 128, isFirst: Bool = false) -> ResNetConvLayer {
        ResNetConvLayer(name: name, shape: Conv2DShape(batch: batch, inChannels: cin, height: size, width: size,
                                                       outChannels: cout, kernelHeight: kernel, kernelWidth: kernel,
                                                       strideH: stride, strideW: stride, padH: kernel / 2, padW: kernel / 2),
                        count: count, isFirst: isFirst)
    }

    /// ResNet-20 (He et al. 2016, §4.2), 32×32×3 input, option-A shortcuts; the 1×1 stride-2
    /// projections of option B are listed with count 0.
    static let resnet20: [ResNetConvLayer] = [
        conv("conv1 3→16 32²", 3, 16, 32, count: 1, isFirst: true),
        conv("s1 16→16 32²", 16, 16, 32, count: 6),
        conv("s2.0 16→32 32²/2", 16, 32, 32, stride: 2, count: 1),
        conv("s2 32→32 16²", 32, 32, 16, count: 5),
        conv("s3.0 32→64 16²/2", 32, 64, 16, stride: 2, count: 1),
        conv("s3 64→64 8²", 64, 64, 8, count: 5),
        conv("proj 16→32 1×1/2", 16, 32, 32, kernel: 1, stride: 2, count: 0),
        conv("proj 32→64 1×1/2", 32, 64, 16, kernel: 1, stride: 2, count: 0),
    ]

    /// ResNet-18 for CIFAR (3×3 stem, no max-pool), 32×32×3 input, option-B projections.
    static let resnet18: [ResNetConvLayer] = [
        conv("conv1 3→64 32²", 3, 64, 32, count: 1, isFirst: true),
        conv("l1 64→64 32²", 64, 64, 32, count: 4),
        conv("l2.0 64→128 32²/2", 64, 128, 32, stride: 2, count: 1),
        conv("l2 128→128 16²", 128, 128, 16, count: 3),
        conv("l2 proj 1×1/2", 64, 128, 32, kernel: 1, stride: 2, count: 1),
        conv("l3.0 128→256 16²/2", 128, 256, 16, stride: 2, count: 1),
        conv("l3 256→256 8²", 256, 256, 8, count: 3),
        conv("l3 proj 1×1/2", 128, 256, 16, kernel: 1, stride: 2, count: 1),
        conv("l4.0 256→512 8²/2", 256, 512, 8, stride: 2, count: 1),
        conv("l4 512→512 4²", 512, 512, 4, count: 3),
        conv("l4 proj 1×1/2", 256, 512, 8, kernel: 1, stride: 2, count: 1),
    ]

    /// Multiply-adds × 2 of one kernel on the whole batch.
    var flops: Double {
        let s = shape
        return 2.0 * Double(s.batch) * Double(s.outChannels) * Double(s.outHeight * s.outWidth)
            * Double(s.inChannels * s.kernelHeight * s.kernelWidth)
    }

    var detail: String {
        let s = shape
        return "N=\(s.batch) \(s.inChannels)×\(s.height)×\(s.width) → \(s.outChannels)×\(s.outHeight)×\(s.outWidth), "
            + "\(s.kernelHeight)×\(s.kernelWidth)/\(s.strideH), ×\(count)"
    }

    /// The per-image GEMMs of the three kernels: (kernel, m, n, k, transposeA, transposeB).
    var gemmShapes: [(String, Int, Int, Int, Bool, Bool)] {
        let s = shape
        let pixels = s.outHeight * s.outWidth, patch = s.inChannels * s.kernelHeight * s.kernelWidth
        return [("fwd", s.outChannels, pixels, patch, false, false),
                ("bwd-input", patch, pixels, s.outChannels, true, false),
                ("bwd-weight", s.outChannels, patch, pixels, false, true)]
    }
}
