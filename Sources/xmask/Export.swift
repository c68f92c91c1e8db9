import ArgumentParser
import Foundation
import XMaskData
import XMaskExperiments

/// `xmask export`: one task as a PyTorch state dict.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one task of a bundle as a safetensors state dict that PyTorch loads with load_state_dict(strict=True).",
        discussion: """
        FILE holds the deployed effective weights (masks applied, quantized), the task's head and \
        batch norm under torchvision's keys; its metadata holds xmask.preprocessing \
        ({"mean", "std", "size", "channels"}: x = (pixel/255 − mean)/std after resizing) and, for a \
        quantized backbone, xmask.activation_quantization (PACT bits and α per layer input). The \
        masks go to FILE.masks.safetensors. See README.md for the PyTorch lines that evaluate it.
        """)

    @Option(help: "Bundle directory.") var bundle: String
    @Option(help: "Task to export.") var task: String
    @Option(help: "Output file (.safetensors); the masks go beside it as NAME.masks.safetensors.") var out: String
    @Option(help: ArgumentHelp("Also write the task's test-set logits as xmask computes them ([N, classes] float32 .npy, dataset order), to check a port against.", valueName: "file.npy"))
    var logits: String?
    @OptionGroup var options: RunOptions

    func run() throws {
        let opened = try TaskBundle.open(URL(fileURLWithPath: bundle))
        let url = URL(fileURLWithPath: out)
        let masks = try TaskExport.write(bundle: opened, task: task, to: url)
        if let logits {
            let result = try options.withThreads { try TaskExport.testLogits(bundle: opened, task: task) }
            try NPY.write(NPYArray(shape: [result.count, result.classes], elements: .float32(result.logits)), to: URL(fileURLWithPath: logits))
            if !options.json { print(String(format: "test accuracy %.2f%% on %d images; logits %@", 100 * result.accuracy, result.count, logits)) }
        }
        if options.json {
            try printJSON(["weights": url.path, "masks": masks.path])
        } else {
            print("exported task \(task) of \(bundle): \(url.path), masks \(masks.path)")
        }
    }
}
