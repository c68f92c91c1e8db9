/// A user-facing failure of a workflow step: each message names the file, task, field or step
/// and says what was expected.
public enum ExperimentError: Error, CustomStringConvertible, Equatable {
    case invalidOption(name: String, value: String, expected: String)
    case bundleExists(path: String)
    case notABundle(path: String, reason: String)
    case hashMismatch(file: String, expected: String, found: String)
    case taskExists(name: String, bundle: String)
    case taskMissing(name: String, bundle: String, available: [String])
    case imageSizeMismatch(dataset: String, size: String, expected: String)
    case nonFiniteLoss(step: Int, epoch: Int, lastCheckpoint: String?)
    case checkpoint(path: String, reason: String)
    case bundleLocked(path: String, seconds: Double)
    /// The file system of `path` has less room than a command will write (checked before training).
    case insufficientSpace(path: String, neededBytes: Int64, availableBytes: Int64, what: String)

    public var description: String {
        switch self {
        case let .invalidOption(name, value, expected):
            return "\(name) = \(value): expected \(expected)"
        case let .bundleExists(path):
            return "\(path): a bundle already exists here; choose another directory"
        case let .notABundle(path, reason):
            return "\(path): not an xmask bundle: \(reason)"
        case let .hashMismatch(file, expected, found):
            return "\(file): SHA-256 \(found) does not match the manifest's \(expected); the bundle was changed or corrupted, refusing to use it"
        case let .taskExists(name, bundle):
            return "task \"\(name)\" already exists in \(bundle); pick another name (tasks are never overwritten)"
        case let .taskMissing(name, bundle, available):
            return "no task \"\(name)\" in \(bundle); tasks: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
        case let .imageSizeMismatch(dataset, size, expected):
            return "\(dataset): images are \(size), the backbone expects \(expected)"
        case let .nonFiniteLoss(step, epoch, last):
            return "loss is not finite at epoch \(epoch), step \(step); training stopped" + (last.map { "; last good checkpoint: \($0)" } ?? "")
        case let .checkpoint(path, reason):
            return "\(path): \(reason)"
        case let .bundleLocked(path, seconds):
            return "\(path): another xmask process has held the bundle's lock (bundle.lock) for \(Int(seconds)) s; try again when it has finished"
        case let .insufficientSpace(path, needed, available, what):
            return "\(path): not enough free space: \(what) need about \(needed) bytes, the file system has \(available) bytes available; free some space or choose another directory (nothing was trained or written)"
        }
    }
}
