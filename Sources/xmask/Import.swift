import ArgumentParser
import Foundation
import XMaskCrossbar
import XMaskExperiments

/// `xmask import`: a bundle from a backbone trained elsewhere (a PyTorch state dict).
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Make a bundle from a backbone trained elsewhere: a safetensors state dict with torchvision's keys.",
        discussion: """
        The file is what `safetensors.torch.save_file(model.state_dict(), FILE)` writes for a network \
        of the zoo with xmask's layout (ResNet-20/32/56: option A shortcuts, no conv bias; see \
        Sources/XMaskNN/Models). Every key and shape is checked and every problem listed. With \
        --bits 32 the weights are used as they are; with fewer bits the network is quantized as \
        `xmask pretrain` builds it (max-abs per-tensor weight scales, PACT clip α = 6, edge layers \
        at --edge-bits), without re-training. The network must expect inputs normalised as \
        (pixel/255 − 0.5)/0.5, as every xmask task is. --data (any format `adapt` reads) gives \
        the recorded test accuracy and the backbone task's name.
        """)

    @Option(help: "State dict to import (.safetensors).") var weights: String
    @Option(help: "Architecture: \(ModelSpec.names.joined(separator: ", ")).") var model: String
    @Option(help: "Output bundle directory (must not hold a bundle).") var out: String
    @Option(help: "Dataset whose test split gives the recorded accuracy (IDX directory, .npz, CIFAR binary directory or PNG image folder).")
    var data: String?
    @Option(help: "Weight and activation bits (32 = full precision).") var bits = 4
    @Option(help: "Bits of the first conv and the classifier (32 = full precision).") var edgeBits = 8
    @Option(help: "Input size the network takes (default: --data's image size).") var imageSize: Int?
    @Option(help: "Input channels (default: --data's channels).") var channels: Int?
    @Option(help: "Classes of the network's head.") var classes = 10
    @Option(help: "Spare PEs of the crossbar as a fraction of the backbone's (XMA2 can re-program at most this fraction).")
    var sparePEFraction = 0.1
    @OptionGroup var options: RunOptions

    /// The option of each `ModelSpec` / geometry field, for range errors.
    static let optionNames = kebabOptions(["model", "imageSize", "classes", "sparePEFraction"])
        .merging(["inChannels": "--channels", "numClasses": "--classes", "weightBits": "--bits", "activationBits": "--bits",
                  "firstLayerBits": "--edge-bits", "lastLayerBits": "--edge-bits"]) { a, _ in a }

    func validate() throws {
        if data == nil && (imageSize == nil || channels == nil) {
            throw ValidationError("without --data, give --image-size and --channels")
        }
        // Everything but the data, before any file is read (the sizes --data fills in are
        // checked once it is probed).
        try namingOptions(Self.optionNames) {
            try spec(channels: channels ?? 1, imageSize: imageSize ?? ModelSpec.imageSizes.upperBound).validate()
            try CrossbarGeometry(sparePEFraction: sparePEFraction).validate()
        }
    }

    func spec(channels: Int, imageSize: Int) -> ModelSpec {
        let quantization = bits == 32 ? nil : QuantizationSpec(weightBits: bits, activationBits: bits, firstLayerBits: edgeBits, lastLayerBits: edgeBits)
        return ModelSpec(name: model, inChannels: channels, numClasses: classes, imageSize: imageSize, quantization: quantization)
    }

    func run() throws {
        let dataURL = data.map { URL(fileURLWithPath: $0) }
        let probe = try dataURL.map { try TaskData.probe(directory: $0) }
        let spec = spec(channels: channels ?? probe?.channels ?? 0, imageSize: imageSize ?? probe?.size ?? 0)
        try namingOptions(Self.optionNames) { try spec.validate() }
        let result = try options.withThreads {
            try BackboneImport.run(weights: URL(fileURLWithPath: weights), spec: spec, out: URL(fileURLWithPath: out), data: dataURL,
                                   geometry: CrossbarGeometry(sparePEFraction: sparePEFraction))
        }
        if options.json {
            try printJSON(result.bundle.manifest.backbone)
        } else {
            let accuracy = result.testAccuracy.map { String(format: ", test accuracy %.2f%%", 100 * $0) } ?? ""
            print("imported \(weights) as \(model) (\(spec.inChannels)×\(spec.imageSize)×\(spec.imageSize), \(classes) classes, \(bits == 32 ? "full precision" : "\(bits)-bit"))\(accuracy); bundle \(out)")
        }
    }
}
