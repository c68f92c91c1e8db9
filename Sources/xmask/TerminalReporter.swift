import Foundation
import XMaskExperiments

/// Draws a one-line progress bar on standard error (rewritten in place when it is a terminal,
/// a line every few seconds otherwise) and prints messages on their own lines.
final class TerminalReporter: ProgressReporter {
    let quiet: Bool
    let isTerminal = isatty(STDERR_FILENO) != 0
    var lastDraw = ContinuousClock.now - .seconds(10)
    var lineOpen = false

    init(quiet: Bool) { self.quiet = quiet }

    func progress(_ p: TrainingProgress) {
        guard !quiet else { return }
        let now = ContinuousClock.now
        let interval: Duration = isTerminal ? .milliseconds(200) : .seconds(15)
        guard now - lastDraw >= interval || p.step == p.totalSteps else { return }
        lastDraw = now
        let width = 24
        let filled = p.totalSteps > 0 ? width * p.step / p.totalSteps : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(format: "%@ epoch %d/%d [%@] %d/%d loss %.4f acc %5.1f%% %6.0f img/s ETA %@",
                          p.phase, p.epoch, p.epochs, bar, p.step, p.totalSteps, p.loss, 100 * p.accuracy,
                          p.imagesPerSecond, Self.duration(p.etaSeconds))
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            lineOpen = true
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    func message(_ text: String) {
        guard !quiet else { return }
        if lineOpen { FileHandle.standardError.write(Data("\n".utf8)); lineOpen = false }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "--:--" }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%02d:%02d", t / 60, t % 60)
    }
}

/// Prints an Encodable as pretty JSON on standard output.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
