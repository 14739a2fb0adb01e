// Where the other files of this folder come from (generated once; never edited by hand).
//
//   opentelemetry-proto  github.com/open-telemetry/opentelemetry-proto at ac2c4b5
//                        (common, resource, logs, metrics, trace v1 and the three collector
//                        services' request/response messages)
//   protoc               libprotoc 3.21.12 (Debian package protobuf-compiler)
//   protoc-gen-swift     swift-protobuf 1.39.0, built outside this repository
//   command              protoc --plugin=protoc-gen-swift=… --swift_out=Generated \
//                          --swift_opt=Visibility=Internal opentelemetry/proto/{common,resource,
//                          logs,metrics,trace}/v1/*.proto opentelemetry/proto/collector/*/v1/*.proto
