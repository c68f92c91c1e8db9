import ArgumentParser
import Foundation
import XMaskCrossbar
import XMaskExperiments

/// `xmask pretrain`: trains a (quantized) backbone and saves it as a new bundle.
struct Pretrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a quantized backbone (4-bit by default) on a dataset and save it as a new bundle.",
        discussion: """
        The bundle directory (--out) gets checkpoint.safetensors after every epoch, and
        bundle.json + backbone.safetensors at the end. --resume continues an interrupted run
        to the same final weights as an uninterrupted one.
        """)

    @Option(help: "Architecture: \(ModelSpec.names.joined(separator: ", ")).") var model = "resnet20"
    @Option(help: "Dataset: IDX directory, Keras .npz, CIFAR binary directory or PNG image folder (train/CLASS/*.png).") var data: String
    @Option(help: "Output bundle directory.") var out: String
    @Option(help: "Epochs.") var epochs = 15
    @Option(help: "Weight and activation bits (32 = full precision).") var bits = 4
    @Option(help: "Bits of the first conv and the classifier (32 = full precision).") var edgeBits = 8
    @Option(help: "Input size the network is trained at (images are upsampled if smaller).") var imageSize: Int?
    @Option(help: "Input channels (1 or 3; 1-channel data is replicated for 3).") var channels: Int?
    @Option(help: "Classes of the dataset (labels must be below this).") var classes = 10
    @Option(help: "Batch size.") var batchSize = 128
    @Option(help: "Peak SGD learning rate (cosine schedule, one warm-up epoch).") var learningRate: Float = 0.05
    @Option(help: "Weight decay.") var weightDecay: Float = 5e-4
    @Option(help: "Random-crop padding (0 = off).") var cropPadding = 0
    @Flag(help: "Random horizontal flips (off for digits).") var flip = false
    @Option(help: "Train on a stratified subset of this many images.") var trainSubset: Int?
    @Option(help: "Seed of initialisation, shuffling and augmentation.") var seed: UInt64 = 1
    @Flag(help: "Continue from the checkpoint in --out.") var resume = false
    @Option(help: "Spare PEs of the crossbar as a fraction of the backbone's (XMA2 can re-program at most this fraction).")
    var sparePEFraction = CrossbarGeometry().sparePEFraction
    @Option(help: ArgumentHelp("Storage packing of multi-level column masks the bundle's tasks are counted with: radix (k values in ceil(k log2 L) bits) or fixed (ceil(log2 L) bits each).", valueName: "radix|fixed"))
    var packing = CrossbarGeometry().maskPacking
    @Option(name: .customLong("ksm-real-bits"), help: "Bits of KSM's real-valued mask part per kernel the bundle's tasks are counted with (0...64).")
    var ksmRealBits = CrossbarGeometry().ksmRealValueBits
    @OptionGroup var options: RunOptions

    /// The option of each `PretrainConfig` / `ModelSpec` / geometry field, for range errors.
    static let optionNames = kebabOptions(["model", "epochs", "batchSize", "learningRate", "weightDecay", "cropPadding",
                                           "trainSubset", "imageSize", "classes", "sparePEFraction"])
        .merging(["inChannels": "--channels", "numClasses": "--classes", "weightBits": "--bits", "activationBits": "--bits",
                  "firstLayerBits": "--edge-bits", "lastLayerBits": "--edge-bits", "ksmRealValueBits": "--ksm-real-bits"]) { a, _ in a }

    func validate() throws {
        // Everything but the data: the sizes the data would fill in are checked once it is probed.
        try namingOptions(Self.optionNames) {
            let config = makeConfig(channels: channels ?? 1, imageSize: imageSize ?? ModelSpec.imageSizes.upperBound)
            try config.validate()
            try geometry(config).validate()
        }
    }

    func makeConfig(channels: Int, imageSize: Int) -> PretrainConfig {
        let quantization = bits == 32 ? nil : QuantizationSpec(weightBits: bits, activationBits: bits, firstLayerBits: edgeBits, lastLayerBits: edgeBits)
        var config = PretrainConfig(
            model: ModelSpec(name: model, inChannels: channels, numClasses: classes, imageSize: imageSize, quantization: quantization),
            data: URL(fileURLWithPath: data).path, epochs: epochs)
        config.batchSize = batchSize
        config.learningRate = learningRate
        config.weightDecay = weightDecay
        config.cropPadding = cropPadding
        config.horizontalFlip = flip
        config.trainSubset = trainSubset
        config.seed = seed
        return config
    }

    /// The crossbar geometry the bundle records: its N-bit weights, spare PEs and mask accounting.
    func geometry(_ config: PretrainConfig) -> CrossbarGeometry {
        CrossbarGeometry(sparePEFraction: sparePEFraction, maskPacking: packing, ksmRealValueBits: ksmRealBits)
            .programming(config.model)
    }

    func run() throws {
        let dataURL = URL(fileURLWithPath: data)
        let probe = try TaskData.probe(directory: dataURL)
        let config = makeConfig(channels: channels ?? probe.channels, imageSize: imageSize ?? probe.size)
        let geometry = geometry(config)
        try namingOptions(Self.optionNames) {
            try config.validate()
            try geometry.validate()
        }
        let reporter = TerminalReporter(quiet: options.quiet)
        let result = try options.withThreads {
            try Pretrainer(config: config, outDirectory: URL(fileURLWithPath: out),
                           geometry: geometry, reporter: reporter).run(resume: resume)
        }
        if options.json {
            try printJSON(result)
        } else {
            print(String(format: "backbone %@ on %@: test accuracy %.2f%%, %d epochs in %.0f s (%.0f images/s); bundle %@",
                         model, dataURL.lastPathComponent, 100 * result.testAccuracy, result.epochs, result.seconds,
                         result.imagesPerSecond, result.bundle))
        }
    }
}
