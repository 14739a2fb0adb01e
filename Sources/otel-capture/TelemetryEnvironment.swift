// The text `otel-capture env` prints: shell lines for Claude Code, the [otel] block for Codex.
//
// Claude Code reads the standard OTEL_* variables plus CLAUDE_CODE_ENABLE_TELEMETRY and
// OTEL_LOG_USER_PROMPTS (docs.anthropic.com, "Monitoring"). Codex reads an [otel] table in
// ~/.codex/config.toml (openai/codex docs/config.md): an otlp-http exporter with the full
// /v1/logs URL, protocol "binary" (protobuf) or "json", and log_user_prompt.
enum TelemetryEnvironment {
    static func text(endpoint: String, logPrompts: Bool) -> String {
        let prompts = logPrompts ? "1" : "0"
        return """
            # Claude Code: paste into the shell that starts `claude` (or the "env" of ~/.claude/settings.json)
            export CLAUDE_CODE_ENABLE_TELEMETRY=1
            export OTEL_LOGS_EXPORTER=otlp
            export OTEL_METRICS_EXPORTER=otlp
            export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
            export OTEL_EXPORTER_OTLP_ENDPOINT=\(endpoint)
            export OTEL_LOG_USER_PROMPTS=\(prompts)
            export OTEL_LOGS_EXPORT_INTERVAL=1000
            export OTEL_METRIC_EXPORT_INTERVAL=10000

            # Codex CLI: add to ~/.codex/config.toml (or $CODEX_HOME/config.toml)
            # [otel]
            # environment = "dev"
            # log_user_prompt = \(logPrompts)
            # exporter = { otlp-http = { endpoint = "\(endpoint)/v1/logs", protocol = "binary" } }

            """
    }
}
