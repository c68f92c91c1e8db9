import Foundation
import XMaskCrossbar

/// One of `count` shards of a study: the cells whose index in ``StudyPlan/cells`` (tasks, then
/// methods, then seeds) is `index` modulo `count`. `index` is 0-based, as Slurm's
/// `SLURM_ARRAY_TASK_ID` under `sbatch --array=0-(N-1)`; written `K/N` (`--shard 0/2`, `--shard 1/2`).
public struct StudyShard: Codable, Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `K/N` with 0 ≤ K < N.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw ExperimentError.invalidOption(name: "--shard", value: text, expected: "K/N, e.g. 0/4: shard K (0-based, as SLURM_ARRAY_TASK_ID) of N")
        }
        guard n >= 1, k >= 0, k < n else {
            throw ExperimentError.invalidOption(name: "--shard", value: text, expected: "0 ≤ K < N (K is 0-based: the shards of N = 4 are 0/4 … 3/4)")
        }
        self.init(index: k, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether cell `cellIndex` (its position in ``StudyPlan/cells``) belongs to this shard.
    public func contains(_ cellIndex: Int) -> Bool { cellIndex % count == index }

    /// Checks the shard against a plan: at most as many shards as cells, so none is empty.
    public func validate(for plan: StudyPlan) throws {
        let cells = plan.cells.count
        guard count <= cells else {
            throw ExperimentError.invalidOption(name: "--shard", value: description,
                                                expected: "N at most the study's \(cells) cells (tasks × methods × seeds), so that no shard is empty")
        }
    }
}

/// Why shard outputs cannot be merged: each case names the directory and what differs.
public enum StudyMergeError: Error, CustomStringConvertible, Equatable {
    case noResults(directory: String)
    case notAShard(directory: String)
    case planDiffers(directory: String, fields: [String])
    case backboneDiffers(directory: String, first: String, differs: String)
    case shardCountDiffers(directory: String, count: Int, expected: Int)
    case duplicateShard(shard: String, directories: [String])
    case missingShards([String])
    case cellMismatch(directory: String, problem: String)

    public var description: String {
        switch self {
        case let .noResults(d): return "\(d): no results.json (run `xmask reproduce FILE --shard K/N --out \(d)` first)"
        case let .notAShard(d): return "\(d)/results.json is a whole study, not a shard (it records no --shard K/N)"
        case let .planDiffers(d, fields):
            return "\(d): made from another study than the experiment file; differs in \(fields.joined(separator: ", "))"
        case let .backboneDiffers(d, first, differs):
            return "\(d): its backbone differs from \(first)'s (\(differs)); every shard must import the same backbone (xmask reproduce --backbone-only, then --backbone DIR)"
        case let .shardCountDiffers(d, count, expected): return "\(d): a shard of \(count), the others of \(expected)"
        case let .duplicateShard(shard, dirs): return "shard \(shard) is given twice: \(dirs.joined(separator: ", "))"
        case let .missingShards(shards): return "missing shard\(shards.count == 1 ? "" : "s") \(shards.joined(separator: ", "))"
        case let .cellMismatch(d, problem): return "\(d): \(problem)"
        }
    }
}

extension StudyPlan {
    /// The top-level fields in which `other` differs from this plan (empty: the same study).
    public func differences(from other: StudyPlan) -> [String] {
        func json<T: Encodable>(_ v: T) -> Data? {
            let e = JSONEncoder()
            e.outputFormatting = .sortedKeys
            return try? e.encode(v)
        }
        var out: [String] = []
        if name != other.name { out.append("name (\(other.name) vs \(name))") }
        if json(backbone) != json(other.backbone) { out.append("backbone") }
        if backboneSource != other.backboneSource { out.append("backbone.from") }
        if json(hardware) != json(other.hardware) { out.append("hardware") }
        if tasks != other.tasks { out.append("tasks") }
        if methods != other.methods { out.append("methods") }
        if adapt != other.adapt { out.append("adapt") }
        if seed != other.seed { out.append("seed (\(other.seed) vs \(seed))") }
        if cellSeeds != other.cellSeeds { out.append("seeds") }
        return out
    }
}

/// Joins the outputs of a study's shards (each `xmask reproduce FILE --shard K/N --out DIR`) into
/// one study in `out`: a bundle with the shared backbone and every cell's task (each task file
/// copied through its checked state), and the whole study's result, as one unsharded run makes
/// it (the cells in the plan's order, the backbone's re-evaluation from the first shard, each
/// task's from its shard). Refuses shards of another plan or backbone, a missing or duplicate
/// shard, and a missing or duplicate cell, naming the directory.
public func mergeStudyShards(_ directories: [URL], plan: StudyPlan, into out: URL,
                             reporter: ProgressReporter = SilentReporter()) throws -> StudyResult {
    try plan.validate()
    var shards: [(dir: URL, result: StudyResult, bundle: TaskBundle)] = []
    for dir in directories {
        let json = dir.appendingPathComponent("results.json")
        guard let data = FileManager.default.contents(atPath: json.path) else { throw StudyMergeError.noResults(directory: dir.path) }
        let result: StudyResult
        do { result = try JSONDecoder().decode(StudyResult.self, from: data) } catch {
            throw StudyMergeError.cellMismatch(directory: dir.path, problem: "results.json cannot be read: \(error)")
        }
        guard result.shard != nil else { throw StudyMergeError.notAShard(directory: dir.path) }
        let differs = plan.differences(from: result.plan)
        guard differs.isEmpty else { throw StudyMergeError.planDiffers(directory: dir.path, fields: differs) }
        shards.append((dir, result, try TaskBundle.open(dir)))
    }
    guard let first = shards.first, let count = first.result.shard?.count else { throw StudyMergeError.missingShards(["(no directory given)"]) }
    let firstBackbone = first.bundle.manifest.backbone
    var byIndex: [Int: URL] = [:]
    for s in shards {
        let b = s.bundle.manifest.backbone
        let differs = [("SHA-256 \(b.sha256.prefix(12))… vs \(firstBackbone.sha256.prefix(12))…", b.sha256 == firstBackbone.sha256),
                       ("crossbar geometry", s.bundle.manifest.geometry == first.bundle.manifest.geometry),
                       ("model", b.model == firstBackbone.model)].filter { !$0.1 }.map(\.0)
        if !differs.isEmpty {
            throw StudyMergeError.backboneDiffers(directory: s.dir.path, first: first.dir.path, differs: differs.joined(separator: ", "))
        }
        let shard = s.result.shard!
        guard shard.count == count else { throw StudyMergeError.shardCountDiffers(directory: s.dir.path, count: shard.count, expected: count) }
        if let other = byIndex[shard.index] { throw StudyMergeError.duplicateShard(shard: shard.description, directories: [other.path, s.dir.path]) }
        byIndex[shard.index] = s.dir
    }
    let missing = (0..<count).filter { byIndex[$0] == nil }.map { "\($0)/\(count)" }
    guard missing.isEmpty else { throw StudyMergeError.missingShards(missing) }

    // Every cell once, from the shard that owns it.
    var cells: [StudyCell] = []
    var forgetting: [TaskEvaluation] = first.result.forgetting.filter(\.isBackbone)
    var merged = try prepareMergedBundle(out: out, from: first.bundle)
    for (index, planCell) in plan.cells.enumerated() {
        let owner = shards.first { $0.result.shard!.contains(index) }!
        let found = owner.result.cells.filter { $0.bundleTask == planCell.name }
        guard found.count == 1 else {
            throw StudyMergeError.cellMismatch(directory: owner.dir.path,
                                               problem: found.isEmpty ? "cell \(planCell.name) of shard \(owner.result.shard!) is missing" : "cell \(planCell.name) appears \(found.count) times")
        }
        for s in shards where s.dir != owner.dir && s.result.cells.contains(where: { $0.bundleTask == planCell.name }) {
            throw StudyMergeError.cellMismatch(directory: s.dir.path, problem: "holds cell \(planCell.name), which belongs to shard \(owner.result.shard!)")
        }
        cells.append(found[0])
        forgetting += owner.result.forgetting.filter { !$0.isBackbone && $0.task == planCell.name }
        if !merged.taskNames.contains(planCell.name) {
            let entry = try owner.bundle.task(named: planCell.name)
            let (_, state) = try owner.bundle.loadTask(planCell.name)
            try merged.addTask(state, entry: entry)
            reporter.message("merged \(planCell.name) from \(owner.dir.lastPathComponent)")
        }
    }
    var result = first.result
    result.cells = cells
    result.forgetting = forgetting
    result.shard = nil
    result.bundle = merged.directory.path
    if let section = plan.device { result.device = try runDeviceStudy(section, plan: plan, bundle: merged, reporter: reporter) }
    return result
}

/// The merge's output bundle: a new one importing the shards' backbone, or one a previous merge
/// left (with the same backbone), so an interrupted merge resumes.
private func prepareMergedBundle(out: URL, from source: TaskBundle) throws -> TaskBundle {
    if FileManager.default.fileExists(atPath: out.appendingPathComponent("bundle.json").path) {
        let bundle = try TaskBundle.open(out)
        guard bundle.manifest.backbone.sha256 == source.manifest.backbone.sha256, bundle.manifest.geometry == source.manifest.geometry else {
            throw StudyError.staleBundle(path: out.path, item: "the backbone", differs: "not the shards' backbone")
        }
        return bundle
    }
    return try TaskBundle.importBackbone(from: source, to: out, geometry: source.manifest.geometry)
}
