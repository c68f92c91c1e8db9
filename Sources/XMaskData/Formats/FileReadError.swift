import Foundation

/// A file that could not be read at all (missing, a directory, no permission).
public enum FileReadError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    /// None of the candidate names exists in the directory.
    case missing(directory: String, tried: [String])

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "\(file): cannot read the file: \(reason)"
        case .missing(let directory, let tried):
            return "\(directory): no \(tried.map { "'\($0)'" }.joined(separator: " or ")) in this directory"
        }
    }
}

/// Reading whole files into memory.
enum FileBytes {
    /// The bytes of the file at `url`.
    static func read(_ url: URL) throws -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw FileReadError.unreadable(file: url.path, reason: error.localizedDescription)
        }
    }

    /// The bytes of the file at `url`, gunzipped when they start with the gzip magic.
    static func readDecompressing(_ url: URL) throws -> [UInt8] {
        let bytes = try read(url)
        return Gzip.hasMagic(bytes) ? try Gzip.decompress(bytes, file: url.path) : bytes
    }

    /// The first of `names` that exists in `directory`.
    static func firstExisting(in directory: URL, _ names: [String]) throws -> URL {
        for name in names {
            let url = directory.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw FileReadError.missing(directory: directory.path, tried: names)
    }

    /// Writes `bytes` to a temporary file next to `url`, then renames it into place, so a reader
    /// never sees a half-written file.
    static func writeAtomically(_ bytes: [UInt8], to url: URL) throws {
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw FileReadError.unreadable(file: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
