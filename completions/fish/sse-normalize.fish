function __sse-normalize_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __sse-normalize_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __sse-normalize_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __sse-normalize_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __sse-normalize_parse_tokens -S
    set -l unparsed_tokens (__sse-normalize_tokens -pc)
    switch $unparsed_tokens[1]
    case 'sse-normalize'
        __sse-normalize_parse_subcommand -r 1 'format=' 'color=' 'strict' 'line-buffered' 'follow' 'raw-sse' 'provider=' 'flow-id=' 'keep-events' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __sse-normalize_parse_subcommand -r 1 
        end
    end
end

function __sse-normalize_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __sse-normalize_parse_subcommand -S -a positional_count
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

function __sse-normalize_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __sse-normalize_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__sse-normalize_tokens -p)
    if test -z "$(__sse-normalize_tokens -t)"
        set -l index (count (__sse-normalize_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'sse-normalize' -f
complete -c 'sse-normalize' -n '__sse-normalize_should_offer_completions_for_flags_or_options "sse-normalize" format' -l 'format' -d 'Output: ndjson (records) or text (the rendered view). Default: text on a terminal, else ndjson.' -rfka 'ndjson text'
complete -c 'sse-normalize' -n '__sse-normalize_should_offer_completions_for_flags_or_options "sse-normalize" color' -l 'color' -d 'Colour in text output: auto (terminal and no NO_COLOR), always, never.' -rfka 'auto always never'
complete -c 'sse-normalize' -n '__sse-normalize_should_offer_completions_for_flags_or_options "sse-normalize" strict' -l 'strict' -d 'Make a line that is not a JSON object a fatal error (exit 2).'
complete -c 'sse-normalize' -n '__sse-normalize_should_offer_completions_for_flags_or_options "sse-normalize" line-buffered' -l 'line-buffered' -d 'Flush output after every record, even when piped.'
complete -c 'sse-normalize' -n '__sse-normalize_should_offer_completions_for_flags_or_options "sse-normalize" follow' -l 'follow' -d 'Keep reading files as they grow (like tail -F: rotation and truncation handled).'
complete -c 'sse-normalize' -n '__sse-normalize_should_offer_completions_for_flags_or_options "sse-normalize" raw-sse' -l 'raw-sse' -d 'Read a raw SSE byte stream (what curl -N prints) instead of records.'
complete -c 'sse-normalize' -n '__sse-normalize_should_offer_completions_for_flags_or_options "sse-normalize" provider' -l 'provider' -d 'With --raw-sse: the API shape of the stream (auto: detect from the events).' -rfka 'anthropic openai-responses chat auto'
complete -c 'sse-normalize' -n '__sse-normalize_should_offer_completions_for_flags_or_options "sse-normalize" flow-id' -l 'flow-id' -d 'With --raw-sse: the flow_id written on every delta.' -rfka ''
complete -c 'sse-normalize' -n '__sse-normalize_should_offer_completions_for_flags_or_options "sse-normalize" keep-events' -l 'keep-events' -d 'Keep the decoded event records, each in front of its deltas (with --raw-sse: write sse records).'
complete -c 'sse-normalize' -n '__sse-normalize_should_offer_completions_for_flags_or_options "sse-normalize" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sse-normalize' -n '__sse-normalize_should_offer_completions_for_positional "sse-normalize" -eq 1' -fa 'help' -d 'Show subcommand help information.'
