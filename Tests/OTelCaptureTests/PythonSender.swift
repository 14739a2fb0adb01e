// The OpenTelemetry Python SDK script the end-to-end tests run: Codex and Claude Code events, a span
// and counters, sent by the SDK's own OTLP/HTTP protobuf exporters ("proto URL [gzip]"), or encoded
// by the SDK's OTLP encoders into OTLP/JSON files for curl ("json DIR"): the same payloads both ways.
enum PythonSender {
    static let script = #"""
        import sys, json, base64
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk._logs import LoggerProvider
        from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor, InMemoryLogRecordExporter
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader, PeriodicExportingMetricReader
        from opentelemetry._logs import SeverityNumber

        T0 = 1764150000123456789  # 2025-11-26T09:40:00.123456789Z
        BIG = 2**62 + 1

        def emit(codex_logs, claude_logs, tracer, meter):
            c = codex_logs.get_logger("codex_otel", "0.63.0")
            conv = "019ac1b2-conv-4e5f"
            base = {"conversation.id": conv, "app.version": "0.63.0", "model": "gpt-5-codex", "terminal.type": "tmux"}
            c.emit(timestamp=T0, body="codex.conversation_starts", severity_number=SeverityNumber.INFO,
                   attributes={**base, "event.name": "codex.conversation_starts", "provider_name": "openai", "context_window": 272000})
            c.emit(timestamp=T0 + 1000, body="codex.user_prompt", severity_number=SeverityNumber.INFO,
                   attributes={**base, "event.name": "codex.user_prompt", "prompt_length": 19, "prompt": "Fix the tests — ünïcode 日本語"})
            c.emit(timestamp=T0 + 2000, body="codex.api_request", attributes={**base, "event.name": "codex.api_request",
                   "attempt": 1, "duration_ms": 812, "http.response.status_code": 200})
            c.emit(timestamp=T0 + 3000, body="codex.sse_event", attributes={**base, "event.name": "codex.sse_event",
                   "event.kind": "response.completed", "duration_ms": 4210, "input_token_count": 12034,
                   "output_token_count": 512, "cached_token_count": 11000, "reasoning_token_count": 128, "tool_token_count": 0})
            c.emit(timestamp=T0 + 4000, body="codex.tool_decision", attributes={**base, "event.name": "codex.tool_decision",
                   "tool_name": "shell", "call_id": "call_abc", "decision": "approved", "source": "config"})
            c.emit(timestamp=T0 + 5000, body="codex.tool_result", attributes={**base, "event.name": "codex.tool_result",
                   "tool_name": "shell", "call_id": "call_abc", "arguments": "{\"command\":[\"swift\",\"test\"]}",
                   "duration_ms": 15321, "success": "true", "output": "Executed 12 tests, with 0 failures"})
            k = claude_logs.get_logger("com.anthropic.claude_code.events", "2.0.50")
            sess = "5c1d-claude-session"
            kb = {"session.id": sess, "user.id": "u-1", "terminal.type": "vscode"}
            k.emit(timestamp=T0 + 6000, body="claude_code.user_prompt", attributes={**kb, "event.name": "user_prompt",
                   "event.timestamp": "2025-11-26T09:40:00.129Z", "prompt_length": 22, "prompt": "Explique-moi ce code 🙂"})
            k.emit(timestamp=T0 + 7000, body="claude_code.api_request", attributes={**kb, "event.name": "api_request",
                   "model": "claude-sonnet-4-5", "cost_usd": 0.0123, "duration_ms": 2345, "input_tokens": 1500,
                   "output_tokens": 300, "cache_read_tokens": 9000, "cache_creation_tokens": 200, "big_counter": BIG, "negative": -BIG})
            k.emit(timestamp=T0 + 8000, body="claude_code.tool_decision", attributes={**kb, "event.name": "tool_decision",
                   "tool_name": "Bash", "decision": "accept", "source": "config"})
            k.emit(timestamp=T0 + 9000, body="claude_code.tool_result", attributes={**kb, "event.name": "tool_result",
                   "tool_name": "Bash", "success": "true", "duration_ms": 431, "decision": "accept", "source": "config"})
            k.emit(timestamp=T0 + 10000, body="claude_code.api_error", attributes={**kb, "event.name": "api_error",
                   "model": "claude-sonnet-4-5", "error": "overloaded", "status_code": "529", "duration_ms": 120, "attempt": 2})
            k.emit(timestamp=T0 + 11000, body="claude_code.user_prompt", attributes={**kb, "event.name": "user_prompt",
                   "prompt_length": 5, "prompt": "<REDACTED>"})
            with tracer.start_as_current_span("codex.turn", attributes={"conversation.id": conv, "turn": 1, "ok": True}):
                pass
            counter = meter.create_counter("claude_code.token.usage", unit="tokens")
            counter.add(1500, {"session.id": sess, "type": "input", "model": "claude-sonnet-4-5"})
            counter.add(300, {"session.id": sess, "type": "output", "model": "claude-sonnet-4-5"})
            cost = meter.create_counter("claude_code.cost.usage", unit="USD")
            cost.add(0.0123, {"session.id": sess, "model": "claude-sonnet-4-5"})

        def providers(log_exporter_factory, span_exporter, metric_reader):
            codex = LoggerProvider(resource=Resource.create({"service.name": "codex_cli_rs", "service.version": "0.63.0"}))
            codex.add_log_record_processor(SimpleLogRecordProcessor(log_exporter_factory()))
            claude = LoggerProvider(resource=Resource.create({"service.name": "claude-code", "service.version": "2.0.50"}))
            claude.add_log_record_processor(SimpleLogRecordProcessor(log_exporter_factory()))
            tp = TracerProvider(resource=Resource.create({"service.name": "codex_cli_rs"}))
            tp.add_span_processor(SimpleSpanProcessor(span_exporter))
            mp = MeterProvider(resource=Resource.create({"service.name": "claude-code"}), metric_readers=[metric_reader])
            return codex, claude, tp, mp

        def hexify(node):
            if isinstance(node, dict):
                return {k: (base64.b64decode(v).hex() if k in ("traceId", "spanId", "parentSpanId") and isinstance(v, str) else hexify(v))
                        for k, v in node.items()}
            if isinstance(node, list):
                return [hexify(v) for v in node]
            return node

        if sys.argv[1] == "proto":
            # Real OTLP/HTTP protobuf traffic from the SDK's own exporters.
            from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
            url = sys.argv[2]
            gzip = len(sys.argv) > 3 and sys.argv[3] == "gzip"
            from opentelemetry.exporter.otlp.proto.http import Compression
            comp = Compression.Gzip if gzip else Compression.NoCompression
            reader = PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=url + "/v1/metrics", compression=comp), export_interval_millis=3600000)
            codex, claude, tp, mp = providers(lambda: OTLPLogExporter(endpoint=url + "/v1/logs", compression=comp),
                                              OTLPSpanExporter(endpoint=url + "/v1/traces", compression=comp), reader)
            emit(codex, claude, tp.get_tracer("codex_otel"), mp.get_meter("claude_code", "2.0.50"))
            for p in (codex, claude, tp, mp):
                p.shutdown()
        else:
            # The same payloads, encoded by the SDK's OTLP encoders and written as OTLP/JSON files for curl.
            from google.protobuf.json_format import MessageToDict
            from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
            from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
            from opentelemetry.exporter.otlp.proto.common.metrics_encoder import encode_metrics
            out = sys.argv[2]
            exporters = []
            def make():
                exporters.append(InMemoryLogRecordExporter())
                return exporters[-1]
            spans = InMemorySpanExporter()
            reader = InMemoryMetricReader()
            codex, claude, tp, mp = providers(make, spans, reader)
            emit(codex, claude, tp.get_tracer("codex_otel"), mp.get_meter("claude_code", "2.0.50"))
            def dump(name, msg):
                with open(f"{out}/{name}.json", "w", encoding="utf-8") as f:
                    json.dump(hexify(MessageToDict(msg, use_integers_for_enums=True)), f, ensure_ascii=False)
            for i, e in enumerate(exporters):
                dump(f"logs{i}", encode_logs(e.get_finished_logs()))
            dump("traces", encode_spans(spans.get_finished_spans()))
            dump("metrics", encode_metrics(reader.get_metrics_data()))
        """#
}
