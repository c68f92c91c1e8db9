import Testing
@testable import XMaskExperiments

struct EvaluationTests {
    @Test func evalReportsChangedTasks() {
        let rows = [
            TaskEvaluation(task: "backbone", method: "backbone", accuracyWhenAdded: 0.9, accuracyNow: 0.9, forgetting: 0, logitsIdentical: nil),
            TaskEvaluation(task: "a", method: "xbm", accuracyWhenAdded: 0.9, accuracyNow: 0.9, forgetting: 0, logitsIdentical: true),
            TaskEvaluation(task: "b", method: "xbm", accuracyWhenAdded: 0.9, accuracyNow: 0.9, forgetting: 0, logitsIdentical: false),
        ]
        #expect(rows.changedTasks == ["b"])
        #expect(Array(rows.prefix(2)).changedTasks.isEmpty)
    }
}
