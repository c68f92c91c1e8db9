import Foundation
import Testing
import XMaskCrossbar
@testable import XMaskExperiments

/// The primitives both report clients use (studies and `xmask hw`): text and HTML tables, the page.
@Suite struct ReportLayerTests {
    @Test func textTablesPadColumnsAndAlignNumbersRight() {
        let t = ReportTable(kind: .hardwareMethods, title: "t", header: ["method", "bytes"], rows: [["xbm", "1,234"], ["piggyback", "5"]])
        #expect(t.textLines() == ["method     bytes", "----------------", "xbm        1,234", "piggyback      5"])
        let numbered = ReportTable(kind: .hardwareLayers, title: "t", header: ["#", "layer", "K"], rows: [["1", "conv1", "27"], ["10", "fc", "64"]],
                                   leftAlignedColumns: [1])
        #expect(numbered.textLines() == [" #  layer   K", "-------------", " 1  conv1  27", "10  fc     64"])
    }

    @Test func htmlTableAndPageAreSelfContained() {
        let t = ReportTable(kind: .hardwareMethods, title: "a < b", header: ["m", "v"], rows: [["x&y", "1"]], note: "n")
        #expect(t.html() == "<h3>a &lt; b</h3><div class=\"wide\"><table><thead><tr><th>m</th><th>v</th></tr></thead><tbody><tr><td>x&amp;y</td><td>1</td></tr></tbody></table></div><p class=\"note\">n</p>")
        let page = ReportPage.html(title: "T", body: [t.html()])
        #expect(page.hasPrefix("<!doctype html>") && page.contains("<title>T</title>") && !page.contains("<script") && !page.contains("href="))
    }

    /// `xmask hw`'s tables come from the hardware report, in the report formats.
    @Test func hardwareTablesUseTheReportFormats() throws {
        let model = HardwareModel(preset: .xbm32nm)
        let network = try NetworkModel.resnet20.network(imageSize: 32)
        let reports = try AdaptationMethod.all().map {
            try model.report(network: network, includeClassifier: false, method: $0,
                             activity: .uniform(columnSparsity: 0.2, weightSparsity: 0.2), inferences: 1)
        }
        let methods = HardwareReport.methodsTable(reports)
        #expect(methods.rows.map(\.[0]) == reports.map(\.methodDescription))
        #expect(methods.rows[0][2] == ReportFormat.bytes(Double(reports[0].totals.maskBytes)))
        #expect(reports[0].layersTable.rows.count == network.layers.filter { !$0.isClassifier }.count)
        let byM = HardwareReport.totalOverInferenceTable(reports)
        #expect(byM.header.count == 3 + WriteModelEstimate.decades.count && byM.rows.count == reports.count * WriteModelKind.allCases.count)
    }
}
