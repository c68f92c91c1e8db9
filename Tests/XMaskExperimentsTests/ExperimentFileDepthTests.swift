import Foundation
import Testing
@testable import XMaskExperiments

/// Deep nesting is refused before the YAML parser (which recursed until the stack overflowed).
struct ExperimentFileDepthTests {
    func error(_ text: String) -> String? {
        do { _ = try ExperimentFile.parse(text, path: "e.yaml", directory: URL(fileURLWithPath: "/tmp"), checkData: false); return nil }
        catch { return "\(error)" }
    }

    @Test(arguments: [
        String(repeating: "- ", count: 10_000) + "x\n",
        "a: " + String(repeating: "[", count: 10_000) + "\n",
        "a: " + String(repeating: "{b: ", count: 10_000) + "\n",
        (0..<300).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + "\n",
    ])
    func deepNestingIsRefused(text: String) throws {
        let message = try #require(error(text))
        #expect(message.contains("nested more than \(ExperimentFile.maximumNestingDepth) levels"), "\(message)")
    }

    @Test func depthInsideQuotesAndCommentsDoesNotCount() {
        let text = "name: \"" + String(repeating: "[", count: 500) + "\" # " + String(repeating: "{", count: 500) + "\n"
        #expect(error(text)?.contains("nested more than") != true)
    }

    @Test func aHugeFileIsRefused() throws {
        let message = try #require(error(String(repeating: "# padding\n", count: 200_000)))
        #expect(message.contains("expected at most \(ExperimentFile.maximumFileBytes)"))
    }
}
