// Short text kept in the value itself: the flow and session ids extract-usage reads on its
// scanning threads and hands to the main thread, thousands a second. As Strings they were two
// heap allocations per event, freed on the main thread (glibc then takes the scanning thread's
// arena lock) and hashed there; inline they cost neither. Longer text is stored once, in
// LongTexts, and known by its number. Also the model of a Usage, so that one is plain bits.

import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// UTF-8 text, up to 40 bytes inline, longer text by its number among `LongTexts` (stored once).
/// Equal bytes are equal texts, as Python compares strings. Plain bits (no reference counted
/// member): copies, dictionary probes and the release of a table of them are moves of words,
/// where a String member made every copy a retain and every generic use a value-witness call.
public struct InlineText: Hashable, Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
    /// The byte count of an inline text; -1 - its number in `LongTexts` for a longer one.
    private var count = 0
    /// A digest of the inline bytes (or of the long text's number), made where the text is made
    /// (a scanning thread), so that the dictionary on the main thread hashes one word per lookup
    /// and per resize.
    private var digest: UInt64 = 0
    static let room = 40

    public init(bytes: UnsafeRawBufferPointer) {
        if bytes.count <= Self.room {
            count = bytes.count
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
            // Multiply-rotate over the words (the bytes after the text are zero); Hasher's seeded
            // SipHash still runs over it in `hash(into:)`.
            digest = Self.mix(Self.mix(Self.mix(Self.mix(Self.mix(0, words.0), words.1), words.2), words.3), words.4)
            digest ^= UInt64(count)
        } else {
            let number = LongTexts.shared.number(of: bytes)
            count = -1 - number
            digest = Self.mix(0, UInt64(number)) ^ 0xFFFF
        }
    }

    @inline(__always)
    private static func mix(_ digest: UInt64, _ word: UInt64) -> UInt64 {
        ((digest ^ word) &* 0x9E37_79B9_7F4A_7C15).rotatedLeft(by: 29)
    }

    public init(_ text: String) {
        var text = text
        self = text.withUTF8 { InlineText(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The text of a JSON string value (nil when the span is absent or not a string): its bytes
    /// as they are when it holds no escape, else its decoded text (`JSONScanner.text`).
    public init?(_ span: JSONSpan?, in json: JSONScanner) {
        guard let span, span.kind == .string else { return nil }
        let inner = UnsafeRawBufferPointer(rebasing: json.bytes[(span.start + 1)..<(span.end - 1)])
        if let base = inner.baseAddress, memchr(base, Int32(UInt8(ascii: "\\")), inner.count) != nil {
            guard let text = json.text(span) else { return nil }
            self.init(text)
        } else {
            self.init(bytes: inner)
        }
    }

    /// The text of `bytes` (the canonical JSON of a model, for Usage).
    public init(bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { InlineText(bytes: $0) }
    }

    /// The text's bytes.
    public var bytes: [UInt8] {
        guard count >= 0 else { return LongTexts.shared.bytes(-1 - count) }
        var words = words
        return withUnsafeBytes(of: &words) { Array($0.prefix(count)) }
    }

    public var string: String {
        guard count >= 0 else { return String(decoding: LongTexts.shared.bytes(-1 - count), as: UTF8.self) }
        var words = words
        return withUnsafeBytes(of: &words) { String(decoding: $0.prefix(count), as: UTF8.self) }
    }

    public static func == (a: InlineText, b: InlineText) -> Bool {
        a.digest == b.digest && a.count == b.count && a.words == b.words
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(digest) }
}

/// The texts too long for InlineText, each stored once for the life of the process and known
/// by its number, so that an InlineText stays plain bits. They are the distinct long ids and
/// model names of the input, which the tools keep until their answer anyway.
final class LongTexts: @unchecked Sendable {
    static let shared = LongTexts()

    private let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        return lock
    }()
    private var numbers: [[UInt8]: Int] = [:]
    private var texts: [[UInt8]] = []

    /// The number of `bytes`, stored now when they were not yet.
    func number(of bytes: UnsafeRawBufferPointer) -> Int {
        let key = [UInt8](bytes)
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if let number = numbers[key] { return number }
        texts.append(key)
        numbers[key] = texts.count - 1
        return texts.count - 1
    }

    func bytes(_ number: Int) -> [UInt8] {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return texts[number]
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotatedLeft(by k: UInt64) -> UInt64 { self << k | self >> (64 - k) }
}
