function __sse-capture_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __sse-capture_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __sse-capture_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __sse-capture_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __sse-capture_parse_tokens -S
    set -l unparsed_tokens (__sse-capture_tokens -pc)
    switch $unparsed_tokens[1]
    case 'sse-capture'
        __sse-capture_parse_subcommand 0 'h/help'
        switch $unparsed_tokens[1]
        case 'proxy'
            __sse-capture_parse_subcommand 0 'listen=' 'log-dir=' 'reverse=+' 'passthrough=+' 'no-intercept' 'ca-dir=' 'upstream-ca=' 'insecure-upstream' 'redact-header=+' 'max-body=' 'raw' 'format=' 'idle-timeout=' 'connect-timeout=' 'header-timeout=' 'proxy-auth=' 'threads=' 'upstream-keepalive=' 'h/help'
        case 'ca'
            __sse-capture_parse_subcommand 0 'ca-dir=' 'path' 'env' 'listen=' 'h/help'
        case 'doctor'
            __sse-capture_parse_subcommand 0 'listen=' 'ca-dir=' 'host=' 'h/help'
        case 'help'
            __sse-capture_parse_subcommand -r 1 
        end
    end
end

function __sse-capture_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __sse-capture_parse_subcommand -S -a positional_count
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

function __sse-capture_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __sse-capture_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__sse-capture_tokens -p)
    if test -z "$(__sse-capture_tokens -t)"
        set -l index (count (__sse-capture_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'sse-capture' -f
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_positional "sse-capture" -eq 1' -fa 'proxy' -d 'Run the proxy (the default command).'
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_positional "sse-capture" -eq 1' -fa 'ca' -d 'Print the local CA\'s certificate path, or the shell lines that make clients trust it.'
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_positional "sse-capture" -eq 1' -fa 'doctor' -d 'Check a real TLS handshake through the running proxy and say what is wrong.'
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_positional "sse-capture" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" listen' -l 'listen' -d 'Address to listen on (HOST:PORT).' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" log-dir' -l 'log-dir' -d 'Directory for sse_*.jsonl, sse_logger.error and sse_logs/.' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy"' -l 'reverse' -d 'Reverse route: requests under PREFIX go to URL (repeatable).' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy"' -l 'passthrough' -d 'Tunnel CONNECT to HOST untouched, no interception (repeatable).' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" no-intercept' -l 'no-intercept' -d 'Tunnel every CONNECT untouched (no CA needed).'
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" ca-dir' -l 'ca-dir' -d 'CA directory (default $XDG_CONFIG_HOME/streamtap/ca).' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" upstream-ca' -l 'upstream-ca' -d 'Also trust this PEM CA file for upstream TLS.' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" insecure-upstream' -l 'insecure-upstream' -d 'Do not verify upstream TLS certificates (loudly).'
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy"' -l 'redact-header' -d 'Also redact this header (repeatable).' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" max-body' -l 'max-body' -d 'Largest request body kept in a flow record, in bytes.' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" raw' -l 'raw' -d 'Also keep each SSE body\'s raw bytes in sse_logs/<session_id>/<flow_id>.sse.'
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" format' -l 'format' -d 'stdout: ndjson (default when not a terminal), text (one line per flow), or none.' -rfka 'ndjson text none'
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" idle-timeout' -l 'idle-timeout' -d 'Seconds without upstream bytes before a flow ends as timeout.' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" connect-timeout' -l 'connect-timeout' -d 'Seconds to wait for an upstream connection.' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" header-timeout' -l 'header-timeout' -d 'Seconds a client may take to send a request head before it is disconnected.' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" proxy-auth' -l 'proxy-auth' -d 'Require these Basic credentials (Proxy-Authorization) for forward and CONNECT requests; needed to listen off loopback.' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" threads' -l 'threads' -d 'Event-loop threads (one loop carries hundreds of streams; each more costs memory).' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" upstream-keepalive' -l 'upstream-keepalive' -d 'Seconds an idle upstream connection is kept for reuse (0: a new connection per request).' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture proxy" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture ca" ca-dir' -l 'ca-dir' -d 'CA directory (default $XDG_CONFIG_HOME/streamtap/ca).' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture ca" path' -l 'path' -d 'Print the path of the CA certificate (PEM), creating the CA if needed.'
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture ca" env' -l 'env' -d 'Print export lines for HTTPS_PROXY and the CA variables of Claude Code, Codex CLI, Python, curl.'
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture ca" listen' -l 'listen' -d 'The proxy address the --env lines point at.' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture ca" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture doctor" listen' -l 'listen' -d 'The proxy to check (HOST:PORT).' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture doctor" ca-dir' -l 'ca-dir' -d 'CA directory (default $XDG_CONFIG_HOME/streamtap/ca).' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture doctor" host' -l 'host' -d 'The host to open a CONNECT tunnel to.' -rfka ''
complete -c 'sse-capture' -n '__sse-capture_should_offer_completions_for_flags_or_options "sse-capture doctor" h help' -s 'h' -l 'help' -d 'Show help information.'
