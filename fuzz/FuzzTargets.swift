// libFuzzer targets (issue 10), all in one binary built by fuzz/build.sh with
// `swiftc -sanitize=fuzzer,address` over TapCodec's sources and the tools' pure state machines.
// FUZZ_TARGET picks the target. Besides "never crash" (ASan, overflow traps, preconditions),
// each target checks a property the code promises, and traps (a libFuzzer finding) when it fails:
// split invariance for the streaming machines, valid JSON lines for the decoders, and a
// compilable pattern for every `--field KEY=VALUE`.

import Glibc
import TapCodec

/// The target chosen by FUZZ_TARGET (read once).
let fuzzTarget: String = {
    guard let value = getenv("FUZZ_TARGET") else { return "json" }
    return String(cString: value)
}()

let fuzzTargets = ["json", "sse", "delta-records", "delta-raw", "unescape", "pretty", "bash", "field", "capture"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch fuzzTarget {
    case "json": fuzzJSON(bytes)
    case "sse": fuzzSSE(bytes)
    case "delta-records": fuzzDeltaRecords(bytes)
    case "delta-raw": fuzzDeltaRaw(bytes)
    case "unescape": fuzzUnescape(bytes)
    case "pretty": fuzzPretty(bytes)
    case "bash": fuzzBash(bytes)
    case "field": fuzzField(bytes)
    case "capture": fuzzCapture(bytes)
    default: fatalError("unknown FUZZ_TARGET \(fuzzTarget); one of \(fuzzTargets)")
    }
    return 0
}

/// A split point taken from the input itself, so the fuzzer explores chunkings too.
func splitPoint(_ bytes: [UInt8]) -> Int {
    guard bytes.count > 1 else { return 0 }
    return Int(bytes[0]) * 257 % bytes.count
}

/// The property failed: stop here so libFuzzer saves the input.
func finding(_ message: String) -> Never {
    fatalError("fuzz finding: \(message)")
}

/// Every line of `out` must be one valid JSON object (the record contract).
func checkRecords(_ out: [UInt8], _ what: String) {
    for line in out.split(separator: 0x0A) {
        let ok = Array(line).withUnsafeBytes { JSONScanner.isValidObject($0) }
        if !ok {
            finding(
                "\(what) wrote a line that is not a JSON object: \(String(decoding: line.prefix(200), as: UTF8.self))"
            )
        }
    }
}

// MARK: JSON scanner / validator

func fuzzJSON(_ bytes: [UInt8]) {
    let valid = JSONScanner.isValid(bytes)
    // Whitespace around a JSON text does not change its validity.
    if JSONScanner.isValid([0x20] + bytes + [0x0A]) != valid { finding("whitespace changed validity") }
    bytes.withUnsafeBytes { raw in
        _ = JSONScanner.isValidObject(raw)
        // Navigation must never read out of bounds, valid text or not.
        let scanner = JSONScanner(raw)
        guard let root = scanner.root() else { return }
        walk(scanner, root, depth: 0)
        _ = scanner.lookup("data", "delta", "text")
    }
}

func walk(_ scanner: JSONScanner, _ span: JSONSpan, depth: Int) {
    guard depth < 64 else { return }
    switch span.kind {
    case .object:
        scanner.forEachMember(of: span) { key, value in
            _ = scanner.string(key)
            walk(scanner, value, depth: depth + 1)
            return true
        }
    case .array:
        for element in scanner.elements(of: span) { walk(scanner, element, depth: depth + 1) }
    case .string: _ = scanner.string(span)
    case .number:
        _ = scanner.int(span)
        _ = scanner.double(span)
    default: break
    }
}

// MARK: SSE parser

func fuzzSSE(_ bytes: [UInt8]) {
    let whole = SSEParser.parse(bytes)
    var parser = SSEParser()
    var events: [SSEEvent] = []
    let cut = splitPoint(bytes)
    parser.feed(bytes[..<cut], into: &events)
    parser.feed(bytes[cut...], into: &events)
    let leftover = parser.finish(into: &events)
    if events != whole.events || leftover != whole.leftover { finding("SSE parser not split-invariant at \(cut)") }
}

// MARK: Delta decoder over records and over raw SSE

func fuzzDeltaRecords(_ bytes: [UInt8]) {
    var decoder = DeltaDecoder()
    var out: [UInt8] = []
    for line in bytes.split(separator: 0x0A) {
        Array(line).withUnsafeBytes { raw in
            if let record = Record(line: raw) { decoder.feed(record, into: &out) }
        }
    }
    decoder.finish(into: &out)
    checkRecords(out, "DeltaDecoder")
}

func fuzzDeltaRaw(_ bytes: [UInt8]) {
    let providers = DeltaProvider.allCases
    let provider = providers[Int(bytes.first ?? 0) % providers.count]
    var whole = RawSSEDecoder(flowID: "f", provider: provider)
    var wholeOut: [UInt8] = []
    whole.feed(bytes, ts: nil, into: &wholeOut)
    _ = whole.finish(ts: nil, into: &wholeOut)
    checkRecords(wholeOut, "RawSSEDecoder(\(provider))")
    var split = RawSSEDecoder(flowID: "f", provider: provider)
    var splitOut: [UInt8] = []
    let cut = splitPoint(bytes)
    split.feed(bytes[..<cut], ts: nil, into: &splitOut)
    split.feed(bytes[cut...], ts: nil, into: &splitOut)
    _ = split.finish(ts: nil, into: &splitOut)
    if splitOut != wholeOut { finding("RawSSEDecoder(\(provider)) not split-invariant at \(cut)") }
}

// MARK: delta-unescape's unescaper

func fuzzUnescape(_ bytes: [UInt8]) {
    var whole = JSONFragmentUnescaper()
    var wholeOut: [UInt8] = []
    whole.feed(bytes, into: &wholeOut)
    whole.finish(into: &wholeOut)
    var split = JSONFragmentUnescaper()
    var splitOut: [UInt8] = []
    let cut = splitPoint(bytes)
    split.feed(Array(bytes[..<cut]), into: &splitOut)
    split.feed(Array(bytes[cut...]), into: &splitOut)
    split.finish(into: &splitOut)
    if splitOut != wholeOut { finding("unescaper not split-invariant at \(cut)") }
}

// MARK: json-pretty-stream's formatter

func fuzzPretty(_ bytes: [UInt8]) {
    let style: PrettyStyle = (bytes.first ?? 0) & 1 == 0 ? .plain : .color
    var whole = PrettyFormatter(indent: 2, style: style)
    var wholeOut: [UInt8] = []
    whole.feed(bytes, into: &wholeOut)
    whole.finish(into: &wholeOut)
    var split = PrettyFormatter(indent: 2, style: style)
    var splitOut: [UInt8] = []
    let cut = splitPoint(bytes)
    split.feed(Array(bytes[..<cut]), into: &splitOut)
    split.feed(Array(bytes[cut...]), into: &splitOut)
    split.finish(into: &splitOut)
    if splitOut != wholeOut { finding("pretty formatter not split-invariant at \(cut)") }
}

// MARK: bash-detect's FSM

func fuzzBash(_ bytes: [UInt8]) {
    let names: [String?] = [nil, "Bash", "shell", "exec_command"]
    let name = names[Int(bytes.first ?? 0) % names.count]
    var whole = ShellCallDetector(toolName: name)
    _ = bytes.withUnsafeBytes { whole.feed($0, seq: 1) }
    var split = ShellCallDetector(toolName: name)
    let cut = splitPoint(bytes)
    _ = Array(bytes[..<cut]).withUnsafeBytes { split.feed($0, seq: 1) }
    _ = Array(bytes[cut...]).withUnsafeBytes { split.feed($0, seq: 1) }
    // Split invariance is promised for JSON arguments: on garbage, a number or literal cut by the
    // split is skipped up to a delimiter in one piece but restarts a value in the other
    // (ShellCallDetector.skipScalar), so only crashes are findings there.
    guard JSONScanner.isValid(bytes) else { return }
    if whole.isDetected != split.isDetected || whole.shell != split.shell {
        finding("bash-detect FSM not split-invariant at \(cut)")
    }
}

// MARK: rg-prefilter's --field pattern builder

func fuzzField(_ bytes: [UInt8]) {
    let argument = String(decoding: bytes, as: UTF8.self)
    guard let field = FieldPattern(argument) else { return }
    // Whatever KEY and VALUE hold, the pattern built from them must compile...
    let regex: PCRE2Regex
    do { regex = try PCRE2Regex(field.pattern) } catch { finding("--field \(argument): \(error)") }
    // ...and must match the line a JSON writer makes from them, when the value is a string.
    guard !FieldPattern.isBareJSONValue(field.value), !field.value.hasPrefix("\"") else { return }
    let line = Array(
        ("{" + FieldPattern.jsonString(field.key) + ": " + FieldPattern.jsonString(field.value) + "}").utf8
    )
    let matched = (try? line.withUnsafeBytes { try regex.matches($0) }) ?? false
    if !matched { finding("--field \(argument) does not match its own record") }
}
