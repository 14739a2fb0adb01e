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
    static let room = 40

    public init(bytes: UnsafeRawBufferPointer) {
        if bytes.count <= Self.room {
            count = bytes.count
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
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
        a.count == b.count && a.words == b.words
            && (a.overflow?.utf8).map { b.overflow?.utf8.elementsEqual($0) ?? false } ?? (b.overflow == nil)
    }

    public func hash(into hasher: inout Hasher) {
        if let overflow {
            hasher.combine(overflow)
        } else {
            var words = words
            withUnsafeBytes(of: &words) {
                hasher.combine(bytes: UnsafeRawBufferPointer(start: $0.baseAddress, count: count))
            }
        }
    }
}
