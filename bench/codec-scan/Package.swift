// swift-tools-version: 6.2
// The codec's scan benchmark as its own tiny package (not a StreamTap tool): validate every
// line as a JSON object and read its `type` and `flow_id`, as bench/codec-scan.sh compares
// with Python + orjson. Built with `swift build -c release --package-path bench/codec-scan`.
import Foundation
import PackageDescription

// A path dependency is known by its folder's name, which is wherever the repository was cloned.
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "codec-scan",
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "codec-scan",
            dependencies: [.product(name: "TapCodec", package: repository)],
            // The Swift runtime linked in, as install.sh builds the tools (--static-swift-stdlib):
            // loading and relocating the shared one cost ~4 ms of every run.
            linkerSettings: [.unsafeFlags(["-static-stdlib"])]
        )
    ]
)
