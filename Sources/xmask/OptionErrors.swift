import ArgumentParser
import XMaskCrossbar
import XMaskExperiments

/// Runs `body` and names the command-line option in a library's range error.
///
/// The libraries own every range and default and name the field they check (`temperature`,
/// `arrayRows`); this turns `field = value: expected …` into `--option value: expected …` for
/// the fields a command has as options (`options` maps a field to its flag when the spelling
/// differs, e.g. `arrayRows` → `--rows`; otherwise the flag is the field in kebab case). Errors
/// about other fields pass through unchanged.
func namingOptions<T>(_ options: [String: String], _ body: () throws -> T) throws -> T {
    func rethrow(_ field: String, _ value: String, _ expected: String, _ original: any Error) -> any Error {
        guard let flag = options[field] else { return original }
        return ValidationError("\(flag) \(value): expected \(expected)")
    }
    do { return try body() } catch let error as ExperimentError {
        guard case let .invalidOption(name, value, expected) = error else { throw error }
        throw rethrow(name, value, expected, error)
    } catch let error as CrossbarError {
        guard case let .invalidField(field, value, expected) = error else { throw error }
        throw rethrow(field, value, expected, error)
    }
}

/// Runs `body`, a lookup of a name given to `option` (a model, preset, method), and puts the
/// option in front of its error: `--model resnet18-imagenet: unknown model …`.
func naming<T>(_ option: String, _ value: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw ValidationError("\(option) \(value): \(error)") }
}

/// `sparePEFraction` → `spare-pe-fraction`: a dash before a capital that starts a word (after a
/// lower-case letter, or the last capital of an acronym before a lower-case letter).
func kebab(_ field: String) -> String {
    let chars = Array(field)
    var out = ""
    for (i, c) in chars.enumerated() {
        if c.isUppercase, i > 0 {
            let afterLower = chars[i - 1].isLowercase
            let endsAcronym = chars[i - 1].isUppercase && i + 1 < chars.count && chars[i + 1].isLowercase
            if afterLower || endsAcronym { out.append("-") }
        }
        out += c.lowercased()
    }
    return out
}

/// `[field: --flag]` for fields whose flag is the field in kebab case (`betaFinal` → `--beta-final`).
func kebabOptions(_ fields: [String]) -> [String: String] {
    Dictionary(uniqueKeysWithValues: fields.map { field in
        (field, "--" + kebab(field))
    })
}

