import Foundation
import Testing
import XMaskCrossbar
import XMaskMasks
@testable import XMaskExperiments

/// The one adapt-options type: its defaults, its ranges, and how the library, studies and the
/// experiment file's keys read it.
@Suite struct AdaptOptionsTests {
    @Test func defaultsAreThePapersAndTheMaskConfigs() {
        let o = AdaptOptions()
        #expect(o.steps == 600 && o.batchSize == 64 && o.recalibrationBatches == 50)
        #expect(o.learningRate == 1e-2 && o.weightLearningRate == 1e-3 && o.maskLearningRate == nil && o.trainSubset == nil)
        let mask = MaskConfig(method: .xbm)
        #expect(o.beta == mask.beta && o.betaFinal == mask.betaFinal && o.temperature == mask.temperature)
        #expect(o.freezeBatchNorm == mask.freezeBatchNorm)
        #expect(throws: Never.self) { try o.validate() }
    }

    /// A value just outside each setting's range is refused with the setting's name; its bounds are accepted.
    @Test(arguments: AdaptOptions.settings.indices)
    func everySettingHasACheckedRange(_ index: Int) throws {
        let (name, setting) = AdaptOptions.settings[index]
        var ok = AdaptOptions(), low = AdaptOptions(), high = AdaptOptions()
        switch setting {
        case let .count(path, range):
            ok[keyPath: path] = range.lowerBound
            low[keyPath: path] = range.lowerBound - 1
            if range.upperBound < Int.max { high[keyPath: path] = range.upperBound + 1 } else { high[keyPath: path] = range.lowerBound - 1 }
        case let .optionalCount(path, range):
            ok[keyPath: path] = range.lowerBound
            low[keyPath: path] = range.lowerBound - 1
            high[keyPath: path] = range.upperBound < Int.max ? range.upperBound + 1 : range.lowerBound - 1
        case let .positive(path, max):
            ok[keyPath: path] = max
            low[keyPath: path] = 0
            high[keyPath: path] = .nan
        case let .optionalPositive(path, max):
            ok[keyPath: path] = max
            low[keyPath: path] = -1
            high[keyPath: path] = max * 2
        case let .optionalReal(path, range):
            ok[keyPath: path] = range.upperBound
            low[keyPath: path] = range.lowerBound - 1
            high[keyPath: path] = range.upperBound + 1
        case .flag, .choice:
            return  // typed: every value is allowed (names are checked by experimentFileRefusesAnUnknownChoice)
        }
        #expect(throws: Never.self) { try ok.validate() }
        for bad in [low, high] {
            #expect { try bad.validate() } throws: { error in
                guard case let .invalidOption(field, _, expected)? = error as? ExperimentError else { return false }
                return field == name && expected == setting.expected
            }
        }
    }

    @Test func experimentFileKeysAreTheSettingsInSnakeCase() {
        #expect(ExperimentKeys.adapt == ["steps", "batch_size", "learning_rate", "weight_learning_rate", "mask_learning_rate",
                                         "train_subset", "recalibration_batches", "beta", "beta_final", "temperature", "freeze_batch_norm",
                                         "validation_fraction", "column_mask_init", "beta_schedule", "mask_learning_rate_schedule",
                                         "xma_level_rule", "sparsity_penalty"])
    }

    /// `results.json` of the committed study stores `plan.adapt` with these keys; they must keep decoding.
    @Test func decodesTheCommittedStudysOptions() throws {
        let json = #"{"batchSize": 64, "beta": 2, "betaFinal": 50, "freezeBatchNorm": false, "learningRate": 0.01,"#
            + #" "recalibrationBatches": 50, "steps": 600, "temperature": 1, "weightLearningRate": 0.001}"#
        #expect(try JSONDecoder().decode(AdaptOptions.self, from: Data(json.utf8)) == AdaptOptions())
    }

    @Test func configCarriesTheOptionsIntoTheMask() {
        var o = AdaptOptions()
        o.beta = 3
        o.betaFinal = 30
        o.temperature = 0.5
        o.freezeBatchNorm = true
        let c = AdaptConfig(task: "t", data: "/d", method: .xma(shiftLevels: 2), classes: 10, seed: 1, options: o)
        var expected = MaskConfig(method: .xma(shiftLevels: 2))
        expected.beta = 3
        expected.betaFinal = 30
        expected.temperature = 0.5
        expected.freezeBatchNorm = true
        #expect(c.mask == expected)
    }

    /// Every new recipe knob has its experiment-file key, reaches the mask or the schedule, and
    /// leaves today's recipe when unset.
    @Test func recipeKnobsReachTheMaskAndTheSchedule() throws {
        let scratch = try ScratchDirectory()
        let text = """
        tasks: [{name: a, data: /d}]
        methods: [xma]
        backbone: {model: resnet20, data: /b, epochs: 1}
        adapt: {validation_fraction: 0.1, column_mask_init: 0.05, beta_schedule: constant, mask_learning_rate_schedule: constant,
                xma_level_rule: min-max, sparsity_penalty: 0.2, steps: 100}
        """
        let url = scratch.url.appendingPathComponent("e.yaml")
        try Data(text.utf8).write(to: url)
        let a = try ExperimentFile.load(url, checkData: false).plan.adapt
        #expect(a.validationFraction == 0.1 && a.columnMaskInit == 0.05 && a.betaSchedule == .constant)
        #expect(a.maskLearningRateSchedule == .constant && a.xmaLevelRule == .minMax && a.sparsityPenalty == 0.2)
        let c = AdaptConfig(task: "t", data: "/d", method: .xma(shiftLevels: 3), classes: 10, seed: 1, options: a)
        #expect(c.mask.columnMaskInitial == 0.05 && c.mask.betaSchedule == .constant && c.mask.xmaLevelRule == .minMax)
        #expect(c.mask.sparsityPenalty == 0.2)
        #expect(c.maskSchedule(base: 0.01).learningRate(at: 99) == 0.01)
        let today = AdaptConfig(task: "t", data: "/d", method: .xma(shiftLevels: 3), classes: 10, seed: 1, options: AdaptOptions())
        #expect(today.mask == MaskConfig(method: .xma(shiftLevels: 3)))
        #expect(today.maskSchedule(base: 0.01) == .cosine(base: 0.01, totalSteps: 600))
        #expect(today.maskSchedule(base: 0.01).learningRate(at: 599) < 1e-6)
        #expect(AdaptOptions().recipeNotes.isEmpty && a.recipeNotes.contains("β constant"))
        // A MaskConfig without the new knobs encodes as before (old bundles keep their manifest hash).
        let json = String(decoding: try JSONEncoder().encode(MaskConfig(method: .xbm)), as: UTF8.self)
        #expect(!json.contains("betaSchedule") && !json.contains("xmaLevelRule") && !json.contains("sparsityPenalty"))
    }

    @Test func experimentFileRefusesAnUnknownChoice() throws {
        let scratch = try ScratchDirectory()
        let text = "tasks: [{name: a, data: /d}]\nmethods: [xbm]\nbackbone: {model: resnet20, data: /b, epochs: 1}\nadapt: {beta_schedule: linear}\n"
        let url = scratch.url.appendingPathComponent("e.yaml")
        try Data(text.utf8).write(to: url)
        #expect { try ExperimentFile.load(url, checkData: false) } throws: { error in
            "\(error)".contains("linear") && "\(error)".contains("one of geometric, constant")
        }
    }

    @Test func methodKindsRoundTripTheirNames() {
        for kind in AdaptationMethod.Kind.allCases {
            #expect(kind.method(shiftLevels: 3, peFraction: 0.1).kind == kind)
            #expect(AdaptationMethod.Kind(parsing: kind.rawValue.uppercased()) == kind)
        }
        #expect(AdaptationMethod.Kind(parsing: "ft") == .finetune && AdaptationMethod.Kind(parsing: "fine-tune") == .finetune)
        #expect(AdaptationMethod.Kind(parsing: "xbn") == nil)
    }
}
