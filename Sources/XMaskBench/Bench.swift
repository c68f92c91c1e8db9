import ArgumentParser
import XMaskTensor

/// `xmask-bench`: speed benchmarks (never part of `swift test`).
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xmask-bench",
        abstract: "xmask speed benchmarks; results go to BENCHMARKS.md.",
        subcommands: [GEMMBench.self, ConvBench.self, HWBench.self, TrainBench.self, FuzzBench.self]
    )
}
