import ArgumentParser
import Foundation
import XMaskTensor

/// `xmask-bench`: speed benchmarks (never part of `swift test`).
///
/// `XMASK_SIMD=avx512|avx2|generic` forces the kernels' SIMD path (as for `xmask`); every
/// benchmark prints the path it ran.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xmask-bench",
        abstract: "xmask speed benchmarks; results go to BENCHMARKS.md. XMASK_SIMD=avx512|avx2|generic forces the SIMD path.",
        subcommands: [GEMMBench.self, ConvBench.self, HWBench.self, TrainBench.self, FuzzBench.self, SafetensorsBench.self]
    )

    static func main() {
        if let name = ProcessInfo.processInfo.environment["XMASK_SIMD"] {
            do {
                try KernelInfo.forceSIMDPath(named: name)
            } catch {
                FileHandle.standardError.write(Data("xmask-bench: XMASK_SIMD=\(name): \(error)\n".utf8))
                Foundation.exit(2)
            }
        }
        main(nil)
    }
}
