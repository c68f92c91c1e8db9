import Testing
@testable import XMaskExperiments
import XMaskNN

/// The warm-up is bounded by the run: one epoch, at most 10 % of the steps.
struct PretrainWarmupTests {
    @Test func aOneEpochRunWarmsUpForATenthOfItsSteps() {
        // Fashion-MNIST at batch 128: 469 steps per epoch.
        #expect(Pretrainer.warmupSteps(stepsPerEpoch: 469, epochs: 1) == 46)
        #expect(Pretrainer.warmupSteps(stepsPerEpoch: 469, epochs: 5) == 234)
        #expect(Pretrainer.warmupSteps(stepsPerEpoch: 469, epochs: 12) == 469)
        #expect(Pretrainer.warmupSteps(stepsPerEpoch: 3, epochs: 1) == 0)
    }

    @Test func aOneEpochRunReachesTheFullRateAndDecays() {
        let steps = 469
        let warmup = Pretrainer.warmupSteps(stepsPerEpoch: steps, epochs: 1)
        let schedule = LearningRateSchedule.cosine(base: 0.05, totalSteps: steps, warmupSteps: warmup)
        #expect(schedule.learningRate(at: warmup - 1) == 0.05)
        // Past the middle of the run the rate is already decaying, and it ends near 0.
        #expect(schedule.learningRate(at: steps / 2) < 0.05)
        #expect(schedule.learningRate(at: steps - 1) < 0.001)
    }
}
