// Record timestamps: ISO-8601 UTC with microseconds (`2026-11-24T19:15:16.123456Z`, DESIGN
// §4), held as microseconds since the Unix epoch so that gaps and durations are integer math.
// Fixed-width strings also sort as time, which the extract tools rely on.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public struct Timestamp: Comparable, Hashable, Sendable {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    /// The wall clock now (for the capture tools; state machines take time from records).
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(microseconds: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` (fraction of 0 to 9 digits; `+00:00` also taken).
    public init?(iso8601 text: UnsafeRawBufferPointer) {
        func num(_ at: Int, _ count: Int) -> Int64? {
            guard at + count <= text.count else { return nil }
            var v: Int64 = 0
            for k in at..<(at + count) {
                let d = text[k] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                v = v * 10 + Int64(d)
            }
            return v
        }
        guard text.count >= 19, let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2),
            let mi = num(14, 2), let s = num(17, 2), text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"),
            text[10] == UInt8(ascii: "T") || text[10] == UInt8(ascii: " "), text[13] == UInt8(ascii: ":"),
            text[16] == UInt8(ascii: ":"), (1...12).contains(mo), (1...31).contains(d)
        else { return nil }
        var i = 19
        var micros: Int64 = 0
        if i < text.count, text[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < text.count, text[i] &- UInt8(ascii: "0") < 10 {
                if digits < 6 { micros = micros * 10 + Int64(text[i] - UInt8(ascii: "0")) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<6 where digits < 6 { micros *= 10 }
        }
        let days = Self.daysFromCivil(y, mo, d)
        microseconds = ((days * 86400 + h * 3600 + mi * 60 + s) * 1_000_000) + micros
    }

    public init?(iso8601 text: String) {
        var text = text
        guard let t = text.withUTF8({ Timestamp(iso8601: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = t
    }

    /// `2026-11-24T19:15:16.123456Z`
    public var iso8601: String {
        var seconds = microseconds / 1_000_000
        var micros = microseconds % 1_000_000
        if micros < 0 {
            micros += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86400
        var rest = seconds % 86400
        if rest < 0 {
            rest += 86400
            days -= 1
        }
        let (y, m, d) = Self.civilFromDays(days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return
            "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rest / 3600, 2)):\(pad(rest / 60 % 60, 2)):\(pad(rest % 60, 2)).\(pad(micros, 6))Z"
    }

    /// `YYYY-MM-DD` of the timestamp (UTC).
    public var day: String { String(iso8601.prefix(10)) }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
