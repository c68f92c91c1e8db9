import ArgumentParser
import Foundation
import XMaskCrossbar
import XMaskExperiments

/// `xmask pretrain`: trains a (quantized) backbone and saves it as a new bundle.
struct Pretrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a 4-bit backbone on a dataset and save it as a new bundle.",
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
    var sparePEFraction = 0.1
    @OptionGroup var options: RunOptions

    func run() throws {
        let dataURL = URL(fileURLWithPath: data)
        let probe = try TaskData.probe(directory: dataURL)
        let quantization = bits == 32 ? nil : QuantizationSpec(weightBits: bits, activationBits: bits, firstLayerBits: edgeBits, lastLayerBits: edgeBits)
        var config = PretrainConfig(
            model: ModelSpec(name: model, inChannels: channels ?? probe.channels, numClasses: classes,
                             imageSize: imageSize ?? probe.size, quantization: quantization),
            data: dataURL.path, epochs: epochs)
        config.batchSize = batchSize
        config.learningRate = learningRate
        config.weightDecay = weightDecay
        config.cropPadding = cropPadding
        config.horizontalFlip = flip
        config.trainSubset = trainSubset
        config.seed = seed
        let reporter = TerminalReporter(quiet: options.quiet)
        let result = try options.withThreads {
            try Pretrainer(config: config, outDirectory: URL(fileURLWithPath: out),
                           geometry: CrossbarGeometry(sparePEFraction: sparePEFraction), reporter: reporter).run(resume: resume)
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
