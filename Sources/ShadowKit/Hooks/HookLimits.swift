/// The limits of the klpsv_test protocol (`docs/test-hooks.md`).
public enum HookLimits {
    /// The longest command line, newline excluded.
    public static let maxLineLength = 255
    /// Shadow data sizes.
    public static let shadowSizes: ClosedRange<UInt64> = 0...1_048_576
    /// Data bytes a result shows at most.
    public static let maxDataShown = 64
    /// Parent object sizes for `obj new`.
    public static let objectSizes: ClosedRange<UInt64> = 1...4096
    /// Name lengths of parent objects.
    public static let nameLengths: ClosedRange<Int> = 1...31
    /// Errors a failing constructor may return (as `-E`).
    public static let constructorErrors: ClosedRange<UInt64> = 1...4095
    /// `set` lengths.
    public static let setLengths: ClosedRange<UInt64> = 1...1_048_576
    /// `race` threads.
    public static let raceThreads: ClosedRange<UInt64> = 1...8
    /// `race` iterations per thread.
    public static let raceIterations: ClosedRange<UInt64> = 1...10_000_000
    /// `race` parent objects.
    public static let raceObjects: ClosedRange<UInt64> = 1...4096
    /// `stress` durations, in seconds.
    public static let stressSeconds: ClosedRange<UInt64> = 1...120
}

/// Numbers as klpsv_test reads them.
public enum HookNumber {
    /// Parses an unsigned decimal or `0x` hex number: `"42"`, `"0x2a"`.
    ///
    /// Signs, spaces, empty digits and values above `UInt64.max` are
    /// refused. A leading zero is decimal here; the command line sends
    /// the value back in decimal, so the kernel's octal reading never applies.
    public static func parse(_ text: some StringProtocol) -> UInt64? {
        let lowered = text.lowercased()
        if lowered.hasPrefix("0x") {
            let digits = lowered.dropFirst(2)
            guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit) else { return nil }
            return UInt64(digits, radix: 16)
        }
        guard !lowered.isEmpty, lowered.allSatisfy(\.isASCII), lowered.allSatisfy(\.isNumber) else {
            return nil
        }
        return UInt64(lowered)
    }

    /// Parses a number within `range`, or throws saying what `what` must be.
    public static func parse(
        _ text: some StringProtocol, as what: String, in range: ClosedRange<UInt64>
    ) throws(InvalidArgument) -> UInt64 {
        guard let value = parse(text), range.contains(value) else {
            throw InvalidArgument(
                "invalid \(what) '\(text)': expected a decimal or 0x hex number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// Parses a shadow id: any unsigned long.
    public static func parseID(_ text: some StringProtocol) throws(InvalidArgument) -> UInt64 {
        guard let value = parse(text) else {
            throw InvalidArgument("invalid id '\(text)': expected an unsigned decimal or 0x hex number")
        }
        return value
    }
}
