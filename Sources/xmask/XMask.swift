import ArgumentParser
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
        main(nil)
    }
}
