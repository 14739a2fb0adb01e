// swift-tools-version: 6.2
// StreamTap: small Unix tools for the SSE traffic of AI coding agents (see README.md, docs/FORMAT.md).
import PackageDescription

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
]
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")

/// One executable per tool: its folder under Sources/ holds its state machine(s) and a short command.
func tool(_ name: String, _ extra: [Target.Dependency] = []) -> Target {
    .executableTarget(name: name, dependencies: ["TapCodec", "TapCLI", argumentParser] + extra)
}

/// sse-capture is a long-running proxy with a memory target (bench/proxy.sh): every page of its
/// binary that it touches counts in its RSS, so its release build is linked for few touched pages.
/// - The Swift runtime is linked statically (about 4 MiB fewer pages resident than the shared
///   libraries). sse-capture does not import Foundation; ArgumentParser brings the static
///   FoundationEssentials (no ICU).
/// - lld instead of gold: it puts read-only data in its own segment, so the kernel's fault-around
///   no longer maps code pages next to the symbol and relocation tables read at startup.
/// - --no-export-dynamic: nothing looks the binary's own symbols up at run time (the driver's
///   static-stdlib arguments export them all: 0.4 MiB of symbol table read at startup, and
///   every exported function kept by --gc-sections).
/// - Packed relative relocations (DT_RELR, glibc 2.36+): 1.4 MiB of .rela.dyn, read at every
///   start, become a few KiB; the binary stays position-independent.
/// - linker/sse-capture.order (made by linker/update-sse-capture-order.sh): the functions that run
///   when the proxy starts and streams, laid out together, so fewer 64 KiB windows of code are mapped.
/// Measured (idle, 1 event loop): 22.2 MiB with gold, 19.6 MiB with the first three, 17.1 with the order (bench/README.md).
/// Release only: the debug test bundle links this target's code next to XCTest, which brings the
/// shared Foundation, and one process must not hold both.
func staticStdlib(_ target: Target) -> Target {
    // swiftc's -static-stdlib does not add the static FoundationEssentials' own libraries on
    // Linux; they are named here, in a group because they refer to one another.
    let libraries = [
        "-lFoundationEssentials", "-l_FoundationCShims", "-l_FoundationCollections", "-lswiftSynchronization",
        "-lswiftDispatch", "-ldispatch", "-lBlocksRuntime", "-lstdc++", "-lm",
    ]
    let group = ["--start-group"] + libraries + ["--end-group"]
    var linker = ["--no-export-dynamic"]
    if hostGlibcHasRELR() { linker += ["-z", "pack-relative-relocs"] }
    let order = Context.packageDirectory + "/linker/sse-capture.order"
    if access(order, R_OK) == 0 {
        linker += ["--symbol-ordering-file=" + order, "--no-warn-symbol-ordering"]
    }
    target.linkerSettings = [
        .unsafeFlags(
            ["-static-stdlib", "-use-ld=lld"] + (group + linker).flatMap { ["-Xlinker", $0] },
            .when(platforms: [.linux], configuration: .release)
        )
    ]
    return target
}

/// An extract tool that neither hashes nor touches the network is linked fully static in its
/// release build (the C library too): no dynamic loader, no shared libraries to map, no symbols
/// to bind, so it starts in ~1.7 ms of CPU instead of ~3 (bench/README.md, "extract.sh, session
/// 6"). Not for a tool that resolves host names (glibc's NSS would load shared libraries) or
/// hashes (CTapDigest opens libcrypto). Release only, like `staticStdlib`.
func fullyStatic(_ target: Target) -> Target {
    target.linkerSettings = [.unsafeFlags(["-static-executable"], .when(platforms: [.linux], configuration: .release))]
    return target
}

/// Whether the C library here loads DT_RELR relocations (glibc 2.36 and later): a binary linked
/// with them does not start on an older one. The release binary is built where it runs (install.sh).
func hostGlibcHasRELR() -> Bool {
    #if os(Linux) && canImport(Glibc)
    // confstr answers "glibc 2.36"; other C libraries (musl) have no such value.
    var text = [CChar](repeating: 0, count: 64)
    guard confstr(Int32(_CS_GNU_LIBC_VERSION), &text, text.count) > 0 else { return false }
    let version = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let parts = version.split(separator: " ").last?.split(separator: ".").compactMap { Int($0) } ?? []
    return parts.count >= 2 && (parts[0], parts[1]) >= (2, 36)
    #else
    return false
    #endif
}

/// One test target per tool; every test target may use the shared test support (binaries, fixtures, splits).
/// `exclude`: files the tests read by path (a schema, a browser script), not bundle resources.
func tests(_ name: String, _ extra: [Target.Dependency] = [], exclude: [String] = []) -> Target {
    .testTarget(
        name: name,
        dependencies: ["TapCodec", "TapTestSupport", .product(name: "PropertyBased", package: "swift-property-based")]
            + extra,
        exclude: exclude
    )
}

let package = Package(
    name: "StreamTap",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "TapCodec", targets: ["TapCodec"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // System libraries, reached only through these shims and one Swift wrapper each.
        .systemLibrary(name: "CPCRE2", path: "Sources/CPCRE2"),
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        .systemLibrary(name: "CTapSIMD", path: "Sources/CTapSIMD"),
        // libcrypto's SHA-256, loaded on first use (sse-capture links COpenSSL for its CA).
        .systemLibrary(name: "CTapDigest", path: "Sources/CTapDigest"),

        .target(name: "TapCodec", dependencies: ["CTapDigest", "CTapSIMD"]),
        .target(name: "TapCLI", dependencies: ["TapCodec", argumentParser]),

        tool("sse-normalize"),
        tool("delta-unescape"),
        tool("json-pretty-stream"),
        tool("bash-detect"),
        tool("flow-interleave"),
        tool("flow-replay"),
        tool("flow-har"),
        tool("flow-web", nio),
        tool("rg-prefilter", ["CPCRE2"]),
        tool("redis-dump", ["CHiredis"]),
        staticStdlib(
            tool(
                "sse-capture",
                nio + [
                    "COpenSSL",
                    .product(name: "NIOSSL", package: "swift-nio-ssl"),
                    .product(name: "NIOTLS", package: "swift-nio"),
                    .product(name: "NIOWebSocket", package: "swift-nio"),
                    .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                ]
            )
        ),
        // The extract-* tools share one analysis library (flows, prompts, turns) over TapCodec.
        .target(name: "TapExtract", dependencies: ["TapCodec", "TapCLI", "CTapSIMD", argumentParser]),
        fullyStatic(tool("extract-prompts", ["TapExtract"])),
        fullyStatic(tool("extract-turns", ["TapExtract"])),
        fullyStatic(tool("extract-pairs", ["TapExtract"])),
        fullyStatic(tool("extract-deltas", ["TapExtract"])),
        tool("extract-requests", ["TapExtract"]),
        fullyStatic(tool("extract-usage", ["TapExtract"])),
        fullyStatic(tool("extract-latency", ["TapExtract"])),
        tool(
            "otel-capture",
            nio + [
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),

        .target(
            name: "TapTestSupport",
            dependencies: [
                "TapCodec",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Tests/TapTestSupport"
        ),
        tests("TapCodecTests"),
        tests("SSENormalizeTests", ["sse-normalize"]),
        tests("DeltaUnescapeTests", ["delta-unescape"]),
        tests("JSONPrettyStreamTests", ["json-pretty-stream"]),
        tests("BashDetectTests", ["bash-detect"]),
        tests("FlowInterleaveTests", ["flow-interleave"]),
        tests("FlowReplayTests", ["flow-replay"]),
        tests("FlowHarTests", ["flow-har"], exclude: ["Resources"]),
        tests("FlowWebTests", ["flow-web"], exclude: ["Resources"]),
        tests("RgPrefilterTests", ["rg-prefilter"]),
        tests("RedisDumpTests", ["redis-dump"]),
        tests("SSECaptureTests", ["sse-capture"] + nio + [.product(name: "NIOSSL", package: "swift-nio-ssl")]),
        tests("ExtractTests", ["TapExtract"]),
        tests("OTelCaptureTests", ["otel-capture"]),
        tests("DocsTests"),
        tests("HostileInputTests"),
    ]
)
