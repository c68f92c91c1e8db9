import Foundation
import Testing

/// `xmask reproduce`'s sharding options are checked before any file is read: a clear message,
/// a non-zero exit.
@Suite struct ReproduceShardCLITests {
    @Test(arguments: [
        (["--shard", "2/2", "--out", "x"], "0 ≤ K < N"),
        (["--shard", "1-2", "--out", "x"], "K/N"),
        (["--shard", "0/2"], "--shard needs --out DIR"),
        (["--merge", "a", "b"], "--merge needs --out DIR"),
        (["--shard", "0/2", "--merge", "a", "--out", "x"], "--shard and --merge exclude each other"),
        (["--backbone", "b", "--out", "x"], "--backbone goes with --shard K/N"),
        (["--backbone-only", "--report-only", "--out", "x"], "--report-only and --backbone-only exclude each other"),
    ])
    func badShardOptionsAreRefused(_ arguments: [String], _ message: String) throws {
        let r = try xmask(["reproduce", "no-such-study.yaml"] + arguments)
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }
}
