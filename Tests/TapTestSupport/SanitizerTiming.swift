import Foundation

/// `scripts/sanitizers.sh` sets `STREAMTAP_SANITIZER` (`address` or `thread`) for its test runs.
/// There every tool is an instrumented debug build that starts and runs several times slower, so
/// a test whose margin is a fixed wait ("the follower has reached the end of the file after
/// 0.5 s", "the log is written within 20 s") stretches that wait by `factor`. The assertions stay
/// the same; only the patience changes.
public enum SanitizerTiming {
    /// The sanitizer of this run, nil in a normal run.
    public static let sanitizer: String? = ProcessInfo.processInfo.environment["STREAMTAP_SANITIZER"]

    /// 6: the slowest tool under TSan measured about 5x its debug time on a loaded 2-core machine.
    public static var factor: Double { sanitizer == nil ? 1 : 6 }

    public static func scaled(_ seconds: Double) -> Double { seconds * factor }
}
