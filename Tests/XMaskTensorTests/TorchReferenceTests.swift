import Foundation
import Testing
@testable import XMaskTensor

/// Our ops against PyTorch 2.x: outputs and vector-Jacobian products (∂⟨out, cotangent⟩/∂input,
/// with a random cotangent) from `Golden/*.safetensors`, written offline by
/// `Scripts/golden/make_tensor_golden.py` (the reference is evaluated in float64 from the
/// stored float32 inputs). Tolerance: |ours − torch| ≤ 1e-5 + 1e-4·|torch| per element.
@Suite struct TorchReferenceTests {
    /// One golden file: its case names (metadata "cases") and typed access to "<case>.<name>".
    struct Golden {
        let st: Safetensors

        init(_ name: String) throws { st = try goldenFile(name) }

        var cases: [String] { (st.metadata["cases"] ?? "").split(separator: ",").map(String.init) }
        func tensor(_ c: String, _ name: String) throws -> Tensor { try st.tensor("\(c).\(name)") }
        func has(_ c: String, _ name: String) -> Bool { st.entries["\(c).\(name)"] != nil }
        func int(_ c: String, _ param: String) throws -> Int { try #require(Int(try string(c, param)), "\(c).\(param)") }
        func float(_ c: String, _ param: String) throws -> Float { try #require(Float(try string(c, param)), "\(c).\(param)") }
        func string(_ c: String, _ param: String) throws -> String {
            try #require(st.metadata["\(c).\(param)"], "metadata \(c).\(param) missing in \(st.file)")
        }
    }

    /// Checks shape and every element against the reference, reporting the worst element.
    static func expectClose(_ actual: Tensor, _ expected: Tensor, _ what: String,
                            relative: Float = 1e-4, absolute: Float = 1e-5,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        guard actual.shape == expected.shape else {
            Issue.record("\(what): shape \(actual.shape), PyTorch \(expected.shape)", sourceLocation: sourceLocation)
            return
        }
        var worst = -1, worstExcess: Float = 0, bad = 0
        for i in 0..<expected.count {
            let a = actual.scalars[i], e = expected.scalars[i]
            let excess = abs(a - e) - (absolute + relative * abs(e))
            if !(excess <= 0) {  // also catches NaN
                bad += 1
                if worst < 0 || !(excess <= worstExcess) { worst = i; worstExcess = excess }
            }
        }
        if worst >= 0 {
            Issue.record("""
                \(what): \(bad) of \(expected.count) elements off; worst at flat index \(worst): \
                ours \(actual.scalars[worst]), PyTorch \(expected.scalars[worst])
                """, sourceLocation: sourceLocation)
        }
    }

    // Case names are listed here so each one is its own test; `everyGoldenCaseIsTested`
    // checks them against the files.
    static let convCases = ["k3_s1_p1_bias", "k3_s2_p1_nobias", "k3_s2_p0_cin1_bias", "k3_s1_p0_cin1_nobias",
                            "k1_s1_p0_bias", "k1_s2_p0_nobias", "k1_s1_p1_cin1_bias", "k5_s2_p1_bias"]
    static let batchNormTrainingCases = ["train_4x3x5x5", "train_2x5x3x3_offset", "train_1x2x3x5"]
    static let batchNormEvaluationCases = ["eval_3x4x3x5"]
    static let poolCases = ["max_k2_s2", "max_k3_s2_p1", "avg_k2_s2", "avg_k3_s1_p1", "global_avg"]
    static let logSoftmaxCases = ["log_softmax_4x7_axis-1", "log_softmax_2x5x3_axis1", "log_softmax_3x6_large"]
    static let crossEntropyCases = ["cross_entropy_5x7_ls0", "cross_entropy_5x7_ls0.1",
                                    "cross_entropy_3x10_ls0.1_large", "cross_entropy_1x2_ls0"]

    @Test func everyGoldenCaseIsTested() throws {
        #expect(try Golden("conv2d").cases == Self.convCases)
        #expect(try Golden("batch_norm").cases == Self.batchNormTrainingCases + Self.batchNormEvaluationCases)
        #expect(try Golden("pool").cases == Self.poolCases)
        #expect(try Golden("softmax_cross_entropy").cases == Self.logSoftmaxCases + Self.crossEntropyCases)
        for name in ["conv2d", "batch_norm", "pool", "softmax_cross_entropy"] {
            let st = try Golden(name).st
            #expect(st.metadata["generator"] == "Scripts/golden/make_tensor_golden.py")
            #expect(st.metadata["torch"]?.hasPrefix("2.") == true, "\(name): torch \(st.metadata["torch"] ?? "?")")
        }
    }

    @Test func comparisonCatchesADifference() {
        let reference = Tensor(shape: [2, 2], scalars: [1, -2, 1e-7, 100])
        Self.expectClose(Tensor(shape: [2, 2], scalars: [1.00005, -2.0001, 5e-6, 100.009]), reference, "within tolerance")
        withKnownIssue("one element beyond the tolerance") {
            Self.expectClose(Tensor(shape: [2, 2], scalars: [1, -2, 1e-7, 100.02]), reference, "off")
        }
        withKnownIssue("NaN") {
            Self.expectClose(Tensor(shape: [2, 2], scalars: [1, .nan, 1e-7, 100]), reference, "nan")
        }
        withKnownIssue("shape") {
            Self.expectClose(Tensor(shape: [4], scalars: [1, -2, 1e-7, 100]), reference, "shape")
        }
    }

    // MARK: Convolution

    @Test(arguments: convCases)
    func conv2dMatchesPyTorch(_ c: String) throws {
        let g = try Golden("conv2d")
        let stride = try g.int(c, "stride"), padding = try g.int(c, "padding")
        let hasBias = try g.string(c, "bias") == "true"
        #expect(g.has(c, "bias") == hasBias)
        var inputs = [try g.tensor(c, "input"), try g.tensor(c, "weight")]
        if hasBias { inputs.append(try g.tensor(c, "bias")) }
        let (y, grads) = valueAndPullback(at: inputs, cotangent: try g.tensor(c, "cotangent")) { t in
            conv2d(t[0], t[1], bias: t.count > 2 ? t[2] : nil, stride: stride, padding: padding)
        }
        Self.expectClose(y, try g.tensor(c, "output"), "\(c) output")
        Self.expectClose(grads[0], try g.tensor(c, "grad_input"), "\(c) ∂input")
        Self.expectClose(grads[1], try g.tensor(c, "grad_weight"), "\(c) ∂weight")
        if hasBias { Self.expectClose(grads[2], try g.tensor(c, "grad_bias"), "\(c) ∂bias") }
    }

    // MARK: Batch normalisation

    @Test(arguments: batchNormTrainingCases)
    func batchNormTrainingMatchesPyTorch(_ c: String) throws {
        let g = try Golden("batch_norm")
        let epsilon = try g.float(c, "epsilon"), momentum = try g.float(c, "momentum")
        let x = try g.tensor(c, "input")
        var batchMean: Tensor?, batchVariance: Tensor?
        let (y, grads) = valueAndPullback(
            at: [x, try g.tensor(c, "weight"), try g.tensor(c, "bias")], cotangent: try g.tensor(c, "cotangent")
        ) { t in
            let r = batchNorm(t[0], scale: t[1], offset: t[2], epsilon: epsilon)
            batchMean = r.mean
            batchVariance = r.variance
            return r.output
        }
        Self.expectClose(y, try g.tensor(c, "output"), "\(c) output")
        Self.expectClose(grads[0], try g.tensor(c, "grad_input"), "\(c) ∂x")
        Self.expectClose(grads[1], try g.tensor(c, "grad_weight"), "\(c) ∂scale")
        Self.expectClose(grads[2], try g.tensor(c, "grad_bias"), "\(c) ∂offset")
        let mean = try #require(batchMean), variance = try #require(batchVariance)
        #expect(!mean.isTracked && !variance.isTracked, "batch statistics must be detached")
        Self.expectClose(mean, try g.tensor(c, "batch_mean"), "\(c) batch mean")
        Self.expectClose(variance, try g.tensor(c, "batch_variance"), "\(c) batch variance (biased)")

        // The caller's running-statistics update, as PyTorch's BatchNorm2d does it:
        // running = (1 − m)·running + m·batch, with the variance made unbiased by n/(n − 1).
        let n = Float(x.count / x.shape[1])
        let runningMean = try g.tensor(c, "running_mean"), runningVariance = try g.tensor(c, "running_var")
        let updatedMean = (1 - momentum) * runningMean + momentum * mean
        let updatedVariance = (1 - momentum) * runningVariance + momentum * (n / (n - 1)) * variance
        Self.expectClose(updatedMean, try g.tensor(c, "running_mean_updated"), "\(c) running mean")
        Self.expectClose(updatedVariance, try g.tensor(c, "running_var_updated"), "\(c) running variance")
    }

    @Test(arguments: batchNormEvaluationCases)
    func batchNormEvaluationMatchesPyTorch(_ c: String) throws {
        let g = try Golden("batch_norm")
        let epsilon = try g.float(c, "epsilon")
        let runningMean = try g.tensor(c, "running_mean"), runningVariance = try g.tensor(c, "running_var")
        let (y, grads) = valueAndPullback(
            at: [try g.tensor(c, "input"), try g.tensor(c, "weight"), try g.tensor(c, "bias")],
            cotangent: try g.tensor(c, "cotangent")
        ) { t in
            batchNorm(t[0], scale: t[1], offset: t[2], runningMean: runningMean, runningVariance: runningVariance,
                      epsilon: epsilon)
        }
        Self.expectClose(y, try g.tensor(c, "output"), "\(c) output")
        Self.expectClose(grads[0], try g.tensor(c, "grad_input"), "\(c) ∂x")
        Self.expectClose(grads[1], try g.tensor(c, "grad_weight"), "\(c) ∂scale")
        Self.expectClose(grads[2], try g.tensor(c, "grad_bias"), "\(c) ∂offset")
    }

    // MARK: Pooling

    @Test(arguments: poolCases)
    func poolingMatchesPyTorch(_ c: String) throws {
        let g = try Golden("pool")
        let kind = try g.string(c, "kind")
        let k = try g.int(c, "kernel_size"), s = try g.int(c, "stride"), p = try g.int(c, "padding")
        let (y, grads) = try valueAndPullback(at: [try g.tensor(c, "input")], cotangent: try g.tensor(c, "cotangent")) { t in
            switch kind {
            case "max": return maxPool2d(t[0], kernelSize: k, stride: s, padding: p)
            case "avg": return avgPool2d(t[0], kernelSize: k, stride: s, padding: p)
            case "global": return globalAvgPool2d(t[0])
            default: throw SafetensorsError.invalidField(file: g.st.file, key: c, field: "kind", expected: "max, avg or global")
            }
        }
        Self.expectClose(y, try g.tensor(c, "output"), "\(c) output")
        Self.expectClose(grads[0], try g.tensor(c, "grad_input"), "\(c) ∂x")
    }

    // MARK: Log-softmax and cross-entropy

    @Test(arguments: logSoftmaxCases)
    func logSoftmaxMatchesPyTorch(_ c: String) throws {
        let g = try Golden("softmax_cross_entropy")
        let axis = try g.int(c, "axis")
        let (y, grads) = valueAndPullback(at: [try g.tensor(c, "input")], cotangent: try g.tensor(c, "cotangent")) { t in
            logSoftmax(t[0], axis: axis)
        }
        Self.expectClose(y, try g.tensor(c, "output"), "\(c) output")
        Self.expectClose(grads[0], try g.tensor(c, "grad_input"), "\(c) ∂x")
    }

    @Test(arguments: crossEntropyCases)
    func crossEntropyMatchesPyTorch(_ c: String) throws {
        let g = try Golden("softmax_cross_entropy")
        let smoothing = try g.float(c, "label_smoothing")
        let labelsEntry = try g.st.entry("\(c).labels")
        #expect(labelsEntry.dtype == .int64)
        let labels = labelsEntry.floats().map { Int($0) }
        let cotangent = try g.tensor(c, "cotangent")
        #expect(cotangent.shape == [])
        let (y, grads) = valueAndPullback(at: [try g.tensor(c, "logits")], cotangent: cotangent) { t in
            crossEntropy(logits: t[0], labels: labels, labelSmoothing: smoothing)
        }
        Self.expectClose(y, try g.tensor(c, "output"), "\(c) loss")
        Self.expectClose(grads[0], try g.tensor(c, "grad_logits"), "\(c) ∂logits")
    }
}
