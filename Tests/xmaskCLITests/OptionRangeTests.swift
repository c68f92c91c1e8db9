import Foundation
import Testing

/// What kind of value an option takes; decides the values every entry is also tried with.
enum OptionValueKind: Sendable {
    /// An integer: also tried with garbage (`x`), a fraction (`1.5`) and an overflowing literal.
    case integer
    /// A real number: also tried with `nan`, `inf`, `-inf` (refused with the range) and garbage.
    case real
    /// A closed set of names (an enum, a preset, a model): also tried with `bogus`.
    case choice
}

/// One option's tested range: the values outside it are refused (exit status ≠ 0, never a
/// signal) with a message naming the option and the range.
struct OptionRange: Sendable, CustomTestStringConvertible {
    var command: String
    var option: String
    var kind: OptionValueKind
    /// Text every refusal of an out-of-range value contains besides the option: the range
    /// (`≥ 1`, `0...1`, `positive`) or, for a choice, one of the valid values. Empty for an
    /// option whose range is its type's (a seed: any UInt64; its refusals only name it).
    var range: String
    /// Values outside the range (below it, above it, a malformed one); the kind adds its own.
    var outside: [String]
    /// The other arguments the command needs to get as far as checking this option (default:
    /// ``OptionRangeTests/requiredArguments`` of the command).
    var arguments: [String]? = nil

    init(_ command: String, _ option: String, _ kind: OptionValueKind, _ range: String, _ outside: [String], arguments: [String]? = nil) {
        (self.command, self.option, self.kind, self.range, self.outside, self.arguments) = (command, option, kind, range, outside, arguments)
    }

    var testDescription: String { "\(command) \(option)" }

    /// `(value, must the message contain the range)`: the entry's values and its kind's.
    var trials: [(value: String, namesRange: Bool)] {
        var out = outside.map { ($0, true) }
        switch kind {
        case .integer: out += [("x", false), ("1.5", false), ("99999999999999999999", false), ("-99999999999999999999", false)]
        case .real: out += [("nan", true), ("inf", true), ("-inf", true), ("x", false)]
        case .choice: out += [("bogus", true)]
        }
        return out
    }
}

/// Every option that takes a value, of every command, has a tested range — or is listed as
/// free-form (a path or a name, checked by the tests of what it names). The list of options is
/// generated from the binary (`xmask CMD --experimental-dump-help`), so a new option fails
/// ``everyOptionThatTakesAValueHasATestedRange()`` until it gets an entry below.
///
/// To add an option: one line in ``ranges`` (command, `--option`, kind, the text its refusal
/// must contain, values outside its range; `arguments:` when it needs others to be checked,
/// e.g. `--pe-fraction` needs `--method xma2`), or its `"command --option"` in ``freeForm``.
@Suite struct OptionRangeTests {
    /// Arguments a command needs before it looks at its other options (paths need not exist:
    /// options are checked before any file is read).
    static let requiredArguments: [String: [String]] = [
        "adapt": ["--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm"],
        "pretrain": ["--data", "d", "--out", "o"],
        "eval": ["--bundle", "b"],
        "hw": ["--model", "resnet20"],
        "reproduce": ["f.yaml"],
        "import": ["--weights", "w.safetensors", "--model", "resnet20", "--out", "o", "--image-size", "32", "--channels", "3"],
        "export": ["--bundle", "b", "--task", "t", "--out", "o.safetensors"],
        "demo": [],
        "info": [],
    ]

    /// Options whose value is a path or a name: no numeric range (the files' own parsers and
    /// the bundle's name checks are tested elsewhere).
    static let freeForm: Set<String> = [
        "demo --out",
        "hw --network", "hw --config", "hw --masks", "hw --html",
        "pretrain --data", "pretrain --out",
        "adapt --bundle", "adapt --task", "adapt --data",
        "eval --bundle", "eval --device-config",
        "reproduce <file>", "reproduce --out", "reproduce --backbone", "reproduce --merge",
        "import --weights", "import --out", "import --data",
        "export --bundle", "export --task", "export --out", "export --logits",
    ]

    static let ranges: [OptionRange] = {
        let device = ["--bundle", "b", "--device", "wan2022"]
        return [
            // Shared by every training command (RunOptions).
            .init("demo", "--threads", .integer, "1...1024", ["0", "-1", "1025"]),
            .init("pretrain", "--threads", .integer, "1...1024", ["0", "100000"]),
            .init("adapt", "--threads", .integer, "1...1024", ["0"]),
            .init("eval", "--threads", .integer, "1...1024", ["0"]),
            .init("reproduce", "--threads", .integer, "1...1024", ["0"]),
            .init("import", "--threads", .integer, "1...1024", ["0"]),
            .init("export", "--threads", .integer, "1...1024", ["0"]),

            .init("demo", "--epochs", .integer, "≥ 1", ["0", "-3"]),
            .init("demo", "--steps", .integer, "≥ 1", ["0"]),
            .init("demo", "--seed", .integer, "", ["-1", "18446744073709551616"]),

            .init("hw", "--model", .choice, "resnet20", ["resnet18-imagenet"]),
            .init("hw", "--image-size", .integer, "8...1024", ["0", "-1", "4", "100000", "1000000000"]),
            .init("hw", "--classes", .integer, "2...100000", ["0", "1", "100001", "4000000000000000000"], arguments: ["--model", "resnet20", "--include-classifier"]),
            .init("hw", "--pe-array-rows", .integer, "1...1048576", ["0", "-1", "1048577"]),
            .init("hw", "--pe-array-columns", .integer, "1...1048576", ["0", "-1", "1048577"]),
            .init("hw", "--preset", .choice, "xbm-32nm", ["xbm"]),
            .init("hw", "--rows", .integer, "1...", ["0", "-3"]),
            .init("hw", "--cols", .integer, "1...", ["0"]),
            .init("hw", "--cell-bits", .integer, "1...", ["0"]),
            .init("hw", "--weight-bits", .integer, "1...", ["0"]),
            .init("hw", "--activation-bits", .integer, "1...", ["0"]),
            .init("hw", "--adc-bits", .integer, "1...", ["0"]),
            .init("hw", "--columns-per-adc", .integer, "1...", ["0"]),
            .init("hw", "--pe-grid", .choice, "ROWSxCOLS", ["0x2", "2x0", "2x2x2", "x2", "-1x2", "2000000x2"]),
            .init("hw", "--zero-activations", .real, "0...1", ["1.5", "-0.1"]),
            .init("hw", "--pipeline-speedup", .integer, "1...", ["0"]),
            .init("hw", "--spare-pe-fraction", .real, "0...1", ["1.5", "-1"]),
            .init("hw", "--packing", .choice, "radix", ["tight"]),
            .init("hw", "--ksm-real-bits", .integer, "0...64", ["65", "-1"]),
            .init("hw", "--write-model", .choice, "papers", ["ideal"]),
            .init("hw", "--method", .choice, "xbm", ["xbm2"]),
            .init("hw", "--shift-levels", .integer, "0...3", ["5", "-1"], arguments: ["--model", "resnet20", "--method", "xma"]),
            .init("hw", "--pe-fraction", .real, "0...1", ["1.5", "-0.5"], arguments: ["--model", "resnet20", "--method", "xma2"]),
            .init("hw", "--column-sparsity", .real, "0...1", ["2", "-1"]),
            .init("hw", "--weight-sparsity", .real, "0...1", ["2", "-1"]),
            .init("hw", "--inferences", .integer, "positive", ["0", "-1"]),

            .init("pretrain", "--model", .choice, "resnet18-cifar", ["resnet18-imagenet"]),
            .init("pretrain", "--epochs", .integer, "≥ 1", ["0", "-1"]),
            .init("pretrain", "--bits", .integer, "2...16", ["40", "1", "0"]),
            .init("pretrain", "--edge-bits", .integer, "2...16", ["40", "1"]),
            .init("pretrain", "--image-size", .integer, "8...1024", ["100000", "4", "0"]),
            .init("pretrain", "--channels", .integer, "1...64", ["0", "65"]),
            .init("pretrain", "--classes", .integer, "2...", ["1", "0"]),
            .init("pretrain", "--batch-size", .integer, "≥ 1", ["0", "-2"]),
            .init("pretrain", "--learning-rate", .real, "positive", ["-1", "0"]),
            .init("pretrain", "--weight-decay", .real, "≥ 0", ["-1"]),
            .init("pretrain", "--crop-padding", .integer, "0...1024", ["-1", "1025"]),
            .init("pretrain", "--train-subset", .integer, "≥ 1", ["0"]),
            .init("pretrain", "--seed", .integer, "", ["-1", "18446744073709551616"]),
            .init("pretrain", "--spare-pe-fraction", .real, "0...1", ["1.5", "-1"]),
            .init("pretrain", "--packing", .choice, "radix", ["tight"]),
            .init("pretrain", "--ksm-real-bits", .integer, "0...64", ["99", "-1"]),

            .init("adapt", "--method", .choice, "xbm", ["xbm2"], arguments: ["--bundle", "b", "--task", "t", "--data", "d"]),
            .init("adapt", "--shift-levels", .integer, "≥ 0", ["-1"], arguments: ["--bundle", "b", "--task", "t", "--data", "d", "--method", "xma"]),
            .init("adapt", "--pe-fraction", .real, "0...1", ["1.5", "-0.1"], arguments: ["--bundle", "b", "--task", "t", "--data", "d", "--method", "xma2"]),
            .init("adapt", "--steps", .integer, "1...10000000", ["0", "-1", "10000001"]),
            .init("adapt", "--batch-size", .integer, "1...65536", ["0", "-2", "65537"]),
            .init("adapt", "--mask-learning-rate", .real, "positive", ["0", "-1"]),
            .init("adapt", "--learning-rate", .real, "positive", ["0", "-1"]),
            .init("adapt", "--weight-learning-rate", .real, "positive", ["0", "-1"]),
            .init("adapt", "--beta", .real, "positive", ["0", "-1"]),
            .init("adapt", "--beta-final", .real, "positive", ["0", "-1"]),
            .init("adapt", "--temperature", .real, "positive", ["0", "-1"]),
            .init("adapt", "--recalibration-batches", .integer, "0...100000", ["-1", "100001"]),
            .init("adapt", "--classes", .integer, "2...", ["1", "0"]),
            .init("adapt", "--train-subset", .integer, "≥ 1", ["0"]),
            .init("adapt", "--seed", .integer, "", ["-1", "18446744073709551616"]),
            .init("adapt", "--write-model", .choice, "neurosim", ["ideal"]),
            .init("adapt", "--validation-fraction", .real, "0...0.5", ["0.7", "-0.1"]),
            .init("adapt", "--column-mask-init", .real, "-10...10", ["11", "-11"]),
            .init("adapt", "--beta-schedule", .choice, "geometric", ["linear"]),
            .init("adapt", "--mask-learning-rate-schedule", .choice, "cosine", ["step"]),
            .init("adapt", "--xma-level-rule", .choice, "nearest-sample", ["nearest"]),
            .init("adapt", "--sparsity-penalty", .real, "0...100", ["-1", "101"]),

            .init("reproduce", "--shard", .choice, "0-based", ["2/2", "0/0", "-1/2", "1/x", "0/2/3"]),

            .init("eval", "--device", .choice, "wan2022", ["wan2023", "wan2022+"]),
            .init("eval", "--trials", .integer, "at least 1", ["0", "-1"], arguments: device),
            .init("eval", "--seed", .integer, "", ["-1", "18446744073709551616"], arguments: device),
            .init("eval", "--recalibrate-batches", .integer, "≥ 0", ["-1"], arguments: device),
            .init("eval", "--test-subset", .integer, "at least 1", ["0"], arguments: device),

            .init("import", "--model", .choice, "resnet18-cifar", ["resnet18-imagenet"]),
            .init("import", "--bits", .integer, "2...16", ["40", "1"]),
            .init("import", "--edge-bits", .integer, "2...16", ["40", "1"]),
            .init("import", "--image-size", .integer, "8...1024", ["100000", "0"]),
            .init("import", "--channels", .integer, "1...64", ["0", "65"]),
            .init("import", "--classes", .integer, "2...", ["1", "0"]),
            .init("import", "--spare-pe-fraction", .real, "0...1", ["1.5", "-1"]),
        ]
    }()

    /// `"command --option"` (or `"command <name>"` for a positional) of every argument that
    /// takes a value, from the binary's ArgumentParser dump, for every command but `help`.
    static func valueArguments() throws -> [String] {
        func dump(_ arguments: [String]) throws -> [String: Any] {
            let r = try xmask(arguments + ["--experimental-dump-help"])
            #expect(r.status == 0, "\(arguments): \(r.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            return json?["command"] as? [String: Any] ?? [:]
        }
        let root = try dump([])
        let commands = (root["subcommands"] as? [[String: Any]] ?? []).compactMap { $0["commandName"] as? String }.filter { $0 != "help" }
        #expect(commands.count >= 9, "\(commands)")
        var out: [String] = []
        for command in commands {
            for argument in try dump([command])["arguments"] as? [[String: Any]] ?? [] {
                let kind = argument["kind"] as? String
                guard kind != "flag" else { continue }
                let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                if kind == "positional" {
                    out.append("\(command) <\(argument["valueName"] as? String ?? "?")>")
                } else if let long = names.max(by: { $0.count < $1.count }) {
                    out.append("\(command) --\(long)")
                }
            }
        }
        return out
    }

    @Test func everyOptionThatTakesAValueHasATestedRange() throws {
        let all = try Self.valueArguments()
        let tested = Set(Self.ranges.map(\.testDescription))
        let missing = all.filter { !tested.contains($0) && !Self.freeForm.contains($0) }
        #expect(missing.isEmpty, """
            options without a tested range: \(missing.joined(separator: ", ")). Add each to OptionRangeTests.ranges \
            (values outside its range and the text its refusal must contain) or, for a path or a name, to OptionRangeTests.freeForm.
            """)
        // Entries for options the binary no longer has are stale.
        let stale = (tested.union(Self.freeForm)).subtracting(all)
        #expect(stale.isEmpty, "entries for options xmask does not have: \(stale.sorted().joined(separator: ", "))")
        #expect(tested.intersection(Self.freeForm).isEmpty, "both tested and free-form: \(tested.intersection(Self.freeForm).sorted())")
        #expect(Set(all.map { String($0.prefix { $0 != " " }) }).isSubset(of: Set(Self.requiredArguments.keys)),
                "a command without requiredArguments: \(all)")
    }

    @Test(arguments: ranges)
    func valuesOutsideTheRangeAreRefusedNamingTheOptionAndTheRange(_ entry: OptionRange) throws {
        let scratch = try Scratch()  // the working directory: a command that wrongly ran writes only there
        let base = entry.arguments ?? Self.requiredArguments[entry.command] ?? []
        for (value, namesRange) in entry.trials {
            let arguments = [entry.command] + base + ["\(entry.option)=\(value)"]
            let r = try xmask(arguments, in: scratch.url, timeoutSeconds: 60)
            let shown = arguments.joined(separator: " ")
            #expect(!r.signalled, "\(shown) ended by a signal: \(r.stderr)")
            #expect(r.status != 0, "\(shown) exited 0")
            #expect(r.stderr.contains(entry.option), "\(shown): the message does not name \(entry.option): \(r.stderr)")
            if namesRange && !entry.range.isEmpty {
                #expect(r.stderr.contains(entry.range), "\(shown): the message does not give the range \(entry.range): \(r.stderr)")
            }
        }
    }
}
