import ArgumentParser
import Foundation
import XMaskTensor

@main
struct XMask: ParsableCommand {
    static let version = "0.1.0"
    static let configuration = CommandConfiguration(
        commandName: "xmask",
        abstract: "Crossbar-aware multi-task adaptation of CNNs on ReRAM accelerators, with the hardware cost of each task.",
        version: version,
        subcommands: [Info.self, Demo.self, HW.self, Pretrain.self, Adapt.self, Eval.self, Reproduce.self, Import.self, Export.self]
    )

    static func main() {
        // Reuse large freed buffers instead of faulting in fresh pages every training step.
        KernelInfo.keepLargeAllocations()
        // XMASK_SIMD=avx512|avx2|generic forces the kernels' SIMD path (`xmask info` shows it).
        if let name = ProcessInfo.processInfo.environment["XMASK_SIMD"] {
            do {
                try KernelInfo.forceSIMDPath(named: name)
            } catch {
                FileHandle.standardError.write(Data("xmask: XMASK_SIMD=\(name): \(error)\n".utf8))
                Foundation.exit(2)
            }
        }
        main(nil)
    }
}
