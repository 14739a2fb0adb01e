#!/usr/bin/env python3
"""The anchor of bench/otel-capture.sh: an OTLP/HTTP protobuf logs receiver in Python doing
the same work as otel-capture (decode with the official opentelemetry-proto messages, one JSON
line per log record with type, ts, session_id, flattened attributes, resource and scope, one
O_APPEND write per request, then 200 with an empty ExportLogsServiceResponse).

    python3 otlp_receiver.py PORT OUT.jsonl     (pip install opentelemetry-proto; orjson if present)
"""
import datetime
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

try:
    import orjson

    def dumps(obj):
        return orjson.dumps(obj)
except ImportError:  # the standard library is slower, but does the same
    import json

    def dumps(obj):
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()

MAX_EXACT = 2**53 - 1


def value(v):
    kind = v.WhichOneof("value")
    if kind == "string_value":
        return v.string_value
    if kind == "bool_value":
        return v.bool_value
    if kind == "int_value":
        n = v.int_value
        return n if -MAX_EXACT <= n <= MAX_EXACT else str(n)
    if kind == "double_value":
        return v.double_value
    if kind == "array_value":
        return [value(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return attributes(v.kvlist_value.values)
    if kind == "bytes_value":
        import base64
        return base64.b64encode(v.bytes_value).decode()
    return None


def attributes(kvs):
    return {kv.key: value(kv.value) for kv in kvs}


def iso(nanos):
    return datetime.datetime.fromtimestamp(nanos // 1000 / 1e6, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def records(body):
    request = ExportLogsServiceRequest.FromString(body)
    out = []
    for rl in request.resource_logs:
        resource = attributes(rl.resource.attributes)
        for sl in rl.scope_logs:
            scope = {"name": sl.scope.name, "version": sl.scope.version}
            for r in sl.log_records:
                attrs = attributes(r.attributes)
                name = r.event_name or attrs.get("event.name") or "otel.log"
                session = attrs.get("conversation.id") or attrs.get("session.id") or resource.get("session.id")
                rec = {"v": 1, "type": name, "ts": iso(r.time_unix_nano or r.observed_time_unix_nano),
                       "session_id": session}
                if r.HasField("body"):
                    rec["body"] = value(r.body)
                rec["attributes"] = attrs
                rec["resource"] = resource
                rec["scope"] = scope
                out.append(dumps(rec) + b"\n")
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        try:
            lines = records(body)
        except Exception as error:  # a body that does not decode: 400, nothing written
            message = str(error).encode()
            self.send_response(400)
            self.send_header("content-length", str(len(message)))
            self.end_headers()
            self.wfile.write(message)
            return
        os.write(self.server.out_fd, b"".join(lines))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.out_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    print(f"otlp_receiver.py: listening on http://127.0.0.1:{port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
