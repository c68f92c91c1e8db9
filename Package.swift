// swift-tools-version:6.0
// xmask — crossbar-aware multi-task adaptation of CNNs on ReRAM accelerators.
// Layers (imports point down): XMaskTensor, XMaskCrossbar (import nothing of ours) ◄ XMaskNN ◄ XMaskMasks ◄ XMaskExperiments ◄ xmask
import PackageDescription

let package = Package(
    name: "xmask",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "xmask", targets: ["xmask"]),
        .executable(name: "xmask-bench", targets: ["XMaskBench"]),
        .executable(name: "xmask-libfuzzer", targets: ["XMaskLibFuzzer"]),
        .library(name: "XMaskTensor", targets: ["XMaskTensor"]),
        .library(name: "XMaskCrossbar", targets: ["XMaskCrossbar"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // C micro-kernels with per-function target attributes, chosen at run time (no unsafeFlags).
        .target(name: "CXMaskKernels"),
        .target(name: "XMaskTensor", dependencies: ["CXMaskKernels"], exclude: ["README.md"]),
        .target(name: "XMaskCrossbar", exclude: ["README.md"]),
        .target(name: "XMaskData", dependencies: ["XMaskTensor"], exclude: ["README.md"]),
        .target(name: "XMaskNN", dependencies: ["XMaskTensor"], exclude: ["README.md"]),
        .target(name: "XMaskMasks", dependencies: ["XMaskNN", "XMaskTensor", "XMaskCrossbar"], exclude: ["README.md"]),
        .target(name: "XMaskExperiments", dependencies: [
            "XMaskMasks", "XMaskNN", "XMaskData", "XMaskTensor", "XMaskCrossbar", .product(name: "Yams", package: "Yams"),
        ], exclude: ["README.md"]),
        .executableTarget(name: "xmask", dependencies: [
            "XMaskTensor", "XMaskCrossbar", "XMaskData", "XMaskNN", "XMaskMasks", "XMaskExperiments",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], resources: [.copy("DemoData")]),
        // The in-process fuzz harness of the parsers (tests and `xmask-bench fuzz` only).
        .target(name: "XMaskFuzz", dependencies: ["XMaskExperiments", "XMaskData", "XMaskTensor", "XMaskCrossbar", "XMaskNN"], exclude: ["README.md"]),
        // One FuzzTarget as a libFuzzer target (Scripts/libfuzzer/run.sh builds it with
        // -sanitize=fuzzer); a normal build replays saved inputs.
        .executableTarget(name: "XMaskLibFuzzer", dependencies: ["XMaskFuzz"]),
        .executableTarget(name: "XMaskBench", dependencies: [
            "XMaskTensor", "XMaskCrossbar", "XMaskData", "XMaskNN", "XMaskMasks", "XMaskFuzz", "XMaskExperiments",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "XMaskTensorTests", dependencies: ["XMaskTensor"], resources: [.copy("Golden")]),
        .testTarget(name: "XMaskCrossbarTests", dependencies: ["XMaskCrossbar", "XMaskExperiments"]),  // built-in networks: NetworkModel.network
        .testTarget(name: "XMaskDataTests", dependencies: ["XMaskData", "XMaskTensor"], resources: [.copy("Fixtures")]),
        .testTarget(name: "XMaskExperimentsTests", dependencies: ["XMaskExperiments", "XMaskMasks", "XMaskNN", "XMaskData", "XMaskTensor", "XMaskCrossbar"], resources: [.copy("Golden")]),
        .testTarget(name: "XMaskMasksTests", dependencies: ["XMaskMasks", "XMaskNN", "XMaskTensor", "XMaskCrossbar"]),
        .testTarget(name: "XMaskFuzzTests", dependencies: ["XMaskFuzz"]),
        .testTarget(name: "XMaskNNTests", dependencies: ["XMaskNN", "XMaskTensor"], resources: [.copy("Golden")]),
        // Runs the built `xmask` binary (the dependency makes `swift test` build it): exit codes,
        // messages, help snapshots.
        .testTarget(name: "xmaskCLITests", dependencies: ["xmask"], exclude: ["Snapshots"]),
    ],
    swiftLanguageModes: [.v6]
)
