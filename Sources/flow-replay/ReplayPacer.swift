// When to write each record of a replayed log: after the gap recorded between its `ts` and the
// previous record's, scaled (`--speed`), or a fixed delay (`--delay-ms`), or at once
// (`--no-wait`). Pure: it returns how long to wait; the command does the sleeping, so tests
// check the waits without waiting.

import TapCodec

enum Pacing: Equatable {
    /// Recorded gaps divided by the factor (2 = twice as fast).
    case speed(Double)
    /// The same delay before every record (microseconds).
    case fixed(Int64)
    case noWait
}

struct ReplayPacer {
    let pacing: Pacing
    /// Longest wait (microseconds) for one recorded gap; nil: no cap.
    let maxGap: Int64?
    private var previous: Timestamp?

    init(pacing: Pacing, maxGap: Int64? = nil) {
        self.pacing = pacing
        self.maxGap = maxGap
    }

    /// Microseconds to wait before writing a record with this `ts` (nil: not a timed record,
    /// written at once and not counted as the previous one). A record whose time goes back
    /// (several files, clock skew) is written at once.
    mutating func wait(before ts: Timestamp?) -> Int64 {
        switch pacing {
        case .noWait:
            return 0
        case .fixed(let delay):
            return delay
        case .speed(let factor):
            guard let ts else { return 0 }
            defer { previous = max(previous ?? ts, ts) }
            guard let previous, ts > previous else { return 0 }
            var gap = Int64((Double(ts.microseconds - previous.microseconds) / factor).rounded())
            if let maxGap { gap = min(gap, maxGap) }
            return gap
        }
    }
}
