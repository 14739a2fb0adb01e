// swift-tools-version: 6.2
// StreamTap: small Unix tools for the SSE traffic of AI coding agents (see README.md, docs/FORMAT.md).
import PackageDescription

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

/// sse-capture is a long-running proxy with a memory target: its release build links the Swift
/// runtime and Foundation statically, which keeps about 4 MiB fewer pages resident than the shared
/// libraries (measured, bench/proxy.sh). Release only: the debug test bundle links this target's
/// code next to XCTest, which brings the shared Foundation, and one process must not hold both.
func staticStdlib(_ target: Target) -> Target {
    // swiftc's -static-stdlib does not add the static Foundation's own libraries on Linux; they
    // are named here, in a group because they refer to one another.
    let foundation = [
        "-lFoundation", "-lCoreFoundation", "-lFoundationInternationalization", "-lFoundationEssentials",
        "-l_FoundationICU", "-l_FoundationCShims", "-l_FoundationCollections", "-lswiftSynchronization",
        "-lswiftDispatch", "-ldispatch", "-lBlocksRuntime", "-lstdc++", "-lm",
    ]
    let group = ["--start-group"] + foundation + ["--end-group"]
    target.linkerSettings = [
        .unsafeFlags(
            ["-static-stdlib"] + group.flatMap { ["-Xlinker", $0] },
            .when(platforms: [.linux], configuration: .release)
        )
    ]
    return target
}

/// One test target per tool; every test target may use the shared test support (binaries, fixtures, splits).
func tests(_ name: String, _ extra: [Target.Dependency] = []) -> Target {
    .testTarget(
        name: name,
        dependencies: ["TapCodec", "TapTestSupport", .product(name: "PropertyBased", package: "swift-property-based")]
            + extra)
}

let package = Package(
    name: "StreamTap",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "TapCodec", targets: ["TapCodec"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // System libraries, reached only through these shims and one Swift wrapper each.
        .systemLibrary(name: "CPCRE2", path: "Sources/CPCRE2"),
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        .systemLibrary(name: "CTapSIMD", path: "Sources/CTapSIMD"),

        .target(name: "TapCodec", dependencies: ["COpenSSL", "CTapSIMD"]),
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
        staticStdlib(tool("sse-capture", nio + [
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
        ])),
        // The extract-* tools share one analysis library (flows, prompts, turns) over TapCodec.
        .target(name: "TapExtract", dependencies: ["TapCodec", "TapCLI", "COpenSSL", "CTapSIMD", argumentParser]),
        tool("extract-prompts", ["TapExtract"]),
        tool("extract-turns", ["TapExtract"]),
        tool("extract-pairs", ["TapExtract"]),
        tool("extract-deltas", ["TapExtract"]),
        tool("extract-requests", ["TapExtract"]),
        tool("extract-usage", ["TapExtract"]),
        tool("extract-latency", ["TapExtract"]),
        tool("otel-capture", nio + [.product(name: "NIOHTTPCompression", package: "swift-nio-extras"), .product(name: "SwiftProtobuf", package: "swift-protobuf")]),

        .target(
            name: "TapTestSupport",
            dependencies: [
                "TapCodec",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Tests/TapTestSupport"),
        tests("TapCodecTests"),
        tests("SSENormalizeTests", ["sse-normalize"]),
        tests("DeltaUnescapeTests", ["delta-unescape"]),
        tests("JSONPrettyStreamTests", ["json-pretty-stream"]),
        tests("BashDetectTests", ["bash-detect"]),
        tests("FlowInterleaveTests", ["flow-interleave"]),
        tests("FlowReplayTests", ["flow-replay"]),
        tests("FlowHarTests", ["flow-har"]),
        tests("FlowWebTests", ["flow-web"]),
        tests("RgPrefilterTests", ["rg-prefilter"]),
        tests("RedisDumpTests", ["redis-dump"]),
        tests("SSECaptureTests", ["sse-capture"] + nio + [.product(name: "NIOSSL", package: "swift-nio-ssl")]),
        tests("ExtractTests", ["TapExtract"]),
        tests("OTelCaptureTests", ["otel-capture"]),
        tests("DocsTests"),
        tests("HostileInputTests"),
    ]
)
