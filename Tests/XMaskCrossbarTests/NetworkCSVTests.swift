import Testing
@testable import XMaskCrossbar

struct NetworkCSVTests {
    @Test func readsNeuroSimColumnsWithHeaderAndComments() throws {
        let text = """
        IFM_H,IFM_W,Cin,Kh,Kw,Cout,maxpool_after,stride
        # stem
        224,224,3,7,7,64,1,2

        56,56,64,1,1,256,0,1,
        """
        let net = try NetworkShape.parseCSV(text, file: "n.csv")
        #expect(net.layers.count == 2)
        let stem = net.layers[0]
        #expect(stem.name == "layer1" && stem.inputChannels == 3 && stem.kernelHeight == 7 && stem.stride == 2 && stem.maxPoolAfter)
        #expect(stem.outputHeight == 112)
        #expect(net.layers[1].unrolledRows == 64 && net.layers[1].outputChannels == 256)
    }

    @Test func outputSizeIsSamePadding() throws {
        let net = try NetworkShape.parseCSV("7,9,8,3,3,8,0,2\n", file: "n.csv")
        #expect(net.layers[0].outputHeight == 4 && net.layers[0].outputWidth == 5)
    }

    @Test(arguments: [
        ("32,32,3,3,3,64,0,1\n32,32,64,3,x,64,0,1\n", 2, "field 5 (Kw)"),
        ("32,32,3,3,3,64,0,1\n\n32,32,-64,3,3,64,0,1\n", 3, "field 3 (Cin) = -64"),
        ("32,32,3,3,3,64,0\n", 1, "expected 8 comma-separated fields"),
        ("32,32,3,3,3,64,2,1\n", 1, "field 7 (maxpool_after) = 2: expected 0 or 1"),
        ("32,32,3,3,3,64,0,0\n", 1, "field 8 (stride) = 0"),
        ("# nothing\n", 1, "no layers"),
    ])
    func malformedLinesNameTheLineAndField(text: String, line: Int, message: String) {
        do {
            _ = try NetworkShape.parseCSV(text, file: "net.csv")
            Issue.record("accepted: \(text)")
        } catch let CrossbarError.malformedNetworkLine(file, errorLine, errorMessage) {
            #expect(file == "net.csv")
            #expect(errorLine == line)
            #expect(errorMessage.contains(message), "\(errorMessage)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
