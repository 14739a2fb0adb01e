// Short text kept in the value itself: the flow and session ids extract-usage reads on its
// scanning threads and hands to the main thread, thousands a second. As Strings they were two
// heap allocations per event, freed on the main thread (glibc then takes the scanning thread's
// arena lock) and hashed there; inline they cost neither. Longer text keeps a String.

import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// UTF-8 text of up to 40 bytes inline, longer text in a String. Equal bytes are equal texts,
/// as Python compares strings (a text that fits is always stored inline).
public struct InlineText: Hashable, Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
    /// The byte count when inline, -1 when the text is in `overflow`.
    private var count = 0
    private var overflow: String?
    /// A digest of the inline bytes, made where the text is made (a scanning thread), so that
    /// the dictionary on the main thread hashes one word per lookup and per resize.
    private var digest: UInt64 = 0
    static let room = 40

    public init(bytes: UnsafeRawBufferPointer) {
        if bytes.count <= Self.room {
            count = bytes.count
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
            // Multiply-rotate over the words (the bytes after the text are zero); Hasher's seeded
            // SipHash still runs over it in `hash(into:)`.
            func mix(_ digest: UInt64, _ word: UInt64) -> UInt64 {
                ((digest ^ word) &* 0x9E37_79B9_7F4A_7C15).rotatedLeft(by: 29)
            }
            digest = mix(mix(mix(mix(mix(0, words.0), words.1), words.2), words.3), words.4)
            digest ^= UInt64(count)
        } else {
            count = -1
            overflow = String(decoding: bytes, as: UTF8.self)
        }
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

    public var string: String {
        if let overflow { return overflow }
        var words = words
        return withUnsafeBytes(of: &words) { String(decoding: $0.prefix(count), as: UTF8.self) }
    }

    public static func == (a: InlineText, b: InlineText) -> Bool {
        a.digest == b.digest && a.count == b.count && a.words == b.words
            && (a.overflow?.utf8).map { b.overflow?.utf8.elementsEqual($0) ?? false } ?? (b.overflow == nil)
    }

    public func hash(into hasher: inout Hasher) {
        if let overflow {
            hasher.combine(overflow)
        } else {
            hasher.combine(digest)
        }
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotatedLeft(by k: UInt64) -> UInt64 { self << k | self >> (64 - k) }
}
