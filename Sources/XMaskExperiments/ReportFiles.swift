import Foundation
import XMaskTensor

/// The three files of a study report.
public struct ReportFiles: Sendable {
    public var markdown: URL
    public var html: URL
    public var json: URL
}

extension StudyResult {
    /// Writes report.md, report.html and results.json into `directory`, each atomically.
    @discardableResult
    public func writeReport(to directory: URL, title: String? = nil) throws -> ReportFiles {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files = ReportFiles(markdown: directory.appendingPathComponent("report.md"), html: directory.appendingPathComponent("report.html"),
                                json: directory.appendingPathComponent("results.json"))
        try AtomicFile.write(try json(), to: files.json)
        try AtomicFile.write(Data(markdown(title: title).utf8), to: files.markdown)
        try AtomicFile.write(Data(html(title: title).utf8), to: files.html)
        return files
    }
}
