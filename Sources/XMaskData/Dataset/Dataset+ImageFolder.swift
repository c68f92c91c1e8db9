import Foundation
import XMaskTensor

extension Dataset {
    /// Loads one split of an image folder in torchvision's `ImageFolder` layout:
    /// `directory/<split>/<CLASS>/*.png`. Classes are the sub-directories of `train/` sorted by
    /// name (as `ImageFolder` sorts them), label `k` for the `k`-th; the test split uses the
    /// training split's classes, so a class missing from `test/` keeps its label and a test
    /// class unknown to `train/` is an error. Images are read in file-name order; every one
    /// must have the size and channel count of the first (see ``PNG`` for the kinds read; grey
    /// gives 1 channel, RGB, RGBA and palette images 3). Hidden files are skipped; any other
    /// file that is not a `.png` is an error.
    ///
    /// - Throws: ``DatasetError``, ``FileReadError``, ``PNGError``.
    public static func loadImageFolder(directory: URL, split: Split, classCount: Int, name: String? = nil) throws -> Dataset {
        let classes = try imageFolderClasses(directory.appendingPathComponent("train"))
        let root = directory.appendingPathComponent(split.rawValue)
        let present = try imageFolderClasses(root)
        if let unknown = present.first(where: { !classes.contains($0) }) {
            throw DatasetError.invalidImageFolder(path: root.appendingPathComponent(unknown).path,
                                                  expected: "a class directory that train/ has too (\(classes.count) classes)",
                                                  found: "a class train/ does not have")
        }
        guard classes.count <= classCount else {
            throw DatasetError.invalidImageFolder(path: directory.appendingPathComponent("train").path,
                                                  expected: "at most \(classCount) class directories (the number of classes)",
                                                  found: "\(classes.count)")
        }
        var files: [(url: URL, label: Int)] = []
        for (label, cls) in classes.enumerated() where present.contains(cls) {
            let classURL = root.appendingPathComponent(cls)
            for file in try listing(classURL) {
                guard file.lowercased().hasSuffix(".png") else {
                    throw DatasetError.invalidImageFolder(path: classURL.appendingPathComponent(file).path,
                                                          expected: "a .png image (the only image format xmask decodes)", found: "another file")
                }
                files.append((classURL.appendingPathComponent(file), label))
            }
        }
        guard let first = files.first else {
            throw DatasetError.invalidImageFolder(path: root.path, expected: "at least one CLASS/*.png image", found: "none")
        }
        // Decoding is independent per file: split it over the threads, in file order.
        let firstImage = try PNG.read(at: first.url)
        let (h, w, c) = (firstImage.height, firstImage.width, firstImage.channels)
        let imageSize = h * w * c
        var pixels = [UInt8](repeating: 0, count: files.count * imageSize)
        let threads = min(Parallelism.threadCount, max(1, files.count / 64))
        let chunk = (files.count + threads - 1) / threads
        let failures = ErrorSlots(count: threads)
        pixels.withUnsafeMutableBufferPointer { buffer in
            guard let out = buffer.baseAddress else { return }
            Parallelism.forEach(threads) { t in
                do {
                    for i in (t * chunk)..<min(files.count, (t + 1) * chunk) {
                        let image = try PNG.read(at: files[i].url)
                        guard image.height == h, image.width == w, image.channels == c else {
                            throw DatasetError.invalidImageFolder(
                                path: files[i].url.path, expected: "\(h)×\(w) with \(c) channel(s), as \(first.url.path)",
                                found: "\(image.height)×\(image.width) with \(image.channels) channel(s)")
                        }
                        // [H, W, C] interleaved → [C, H, W] planes.
                        let o = out + i * imageSize
                        for y in 0..<h { for x in 0..<w { for k in 0..<c {
                            o[(k * h + y) * w + x] = image.pixels[(y * w + x) * c + k]
                        } } }
                    }
                } catch {
                    failures.set(t, error)
                }
            }
        }
        if let error = failures.first { throw error }
        return try Dataset(name: name ?? directory.lastPathComponent, pixels: .uint8(pixels), labels: files.map(\.label),
                           channels: c, height: h, width: w, classCount: classCount)
    }

    /// The class directories of `root`, sorted by name.
    static func imageFolderClasses(_ root: URL) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError.invalidImageFolder(path: root.path, expected: "a directory of class directories (CLASS/*.png)", found: "no such directory")
        }
        let entries = try listing(root)
        for entry in entries {
            var d: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root.appendingPathComponent(entry).path, isDirectory: &d)
            guard d.boolValue else {
                throw DatasetError.invalidImageFolder(path: root.appendingPathComponent(entry).path,
                                                      expected: "only class directories in \(root.lastPathComponent)/", found: "a file")
            }
        }
        guard !entries.isEmpty else {
            throw DatasetError.invalidImageFolder(path: root.path, expected: "at least one class directory", found: "none")
        }
        return entries
    }

    /// Names in `directory` without hidden ones, sorted by their UTF-8 bytes (as Python's `sorted`).
    static func listing(_ directory: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { !$0.hasPrefix(".") }
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        } catch {
            throw FileReadError.unreadable(file: directory.path, reason: error.localizedDescription)
        }
    }
}

/// One error slot per worker thread (each writes only its own), read after the join.
private final class ErrorSlots: @unchecked Sendable {
    private var slots: [(any Error)?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ error: any Error) { slots[index] = error }
    var first: (any Error)? { slots.compactMap { $0 }.first }
}
