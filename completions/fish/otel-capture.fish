function __otel-capture_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __otel-capture_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __otel-capture_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __otel-capture_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __otel-capture_parse_tokens -S
    set -l unparsed_tokens (__otel-capture_tokens -pc)
    switch $unparsed_tokens[1]
    case 'otel-capture'
        __otel-capture_parse_subcommand 0 'h/help'
        switch $unparsed_tokens[1]
        case 'serve'
            __otel-capture_parse_subcommand 0 'listen=' 'log-dir=' 'format=' 'max-body=' 'threads=' 'h/help'
        case 'env'
            __otel-capture_parse_subcommand 0 'listen=' 'no-prompts' 'h/help'
        case 'help'
            __otel-capture_parse_subcommand -r 1 
        end
    end
end

function __otel-capture_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __otel-capture_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __otel-capture_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __otel-capture_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__otel-capture_tokens -p)
    if test -z "$(__otel-capture_tokens -t)"
        set -l index (count (__otel-capture_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'otel-capture' -f
complete -c 'otel-capture' -n '__otel-capture_should_offer_completions_for_flags_or_options "otel-capture" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'otel-capture' -n '__otel-capture_should_offer_completions_for_positional "otel-capture" -eq 1' -fa 'serve' -d 'Receive OTLP/HTTP on /v1/logs, /v1/metrics, /v1/traces (the default command).'
complete -c 'otel-capture' -n '__otel-capture_should_offer_completions_for_positional "otel-capture" -eq 1' -fa 'env' -d 'Print the shell lines (and Codex config block) that point Claude Code and Codex here.'
complete -c 'otel-capture' -n '__otel-capture_should_offer_completions_for_positional "otel-capture" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'otel-capture' -n '__otel-capture_should_offer_completions_for_flags_or_options "otel-capture serve" listen' -l 'listen' -d 'Address to listen on (HOST:PORT; port 0 picks a free one).' -rfka ''
complete -c 'otel-capture' -n '__otel-capture_should_offer_completions_for_flags_or_options "otel-capture serve" log-dir' -l 'log-dir' -d 'Directory for otel_events.jsonl and otel_capture.error (created 0700, files 0600).' -rfka ''
complete -c 'otel-capture' -n '__otel-capture_should_offer_completions_for_flags_or_options "otel-capture serve" format' -l 'format' -d 'stdout: ndjson (default when not a terminal), text (one line per request), or none.' -rfka 'ndjson text none'
complete -c 'otel-capture' -n '__otel-capture_should_offer_completions_for_flags_or_options "otel-capture serve" max-body' -l 'max-body' -d 'Largest request body accepted, in bytes after decompression (413 above).' -rfka ''
complete -c 'otel-capture' -n '__otel-capture_should_offer_completions_for_flags_or_options "otel-capture serve" threads' -l 'threads' -d 'Event-loop threads.' -rfka ''
complete -c 'otel-capture' -n '__otel-capture_should_offer_completions_for_flags_or_options "otel-capture serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'otel-capture' -n '__otel-capture_should_offer_completions_for_flags_or_options "otel-capture env" listen' -l 'listen' -d 'The receiver address the lines point at.' -rfka ''
complete -c 'otel-capture' -n '__otel-capture_should_offer_completions_for_flags_or_options "otel-capture env" no-prompts' -l 'no-prompts' -d 'Leave the prompt text out of the telemetry (the agents\' default).'
complete -c 'otel-capture' -n '__otel-capture_should_offer_completions_for_flags_or_options "otel-capture env" h help' -s 'h' -l 'help' -d 'Show help information.'
