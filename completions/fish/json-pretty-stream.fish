function __json-pretty-stream_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __json-pretty-stream_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __json-pretty-stream_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __json-pretty-stream_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __json-pretty-stream_parse_tokens -S
    set -l unparsed_tokens (__json-pretty-stream_tokens -pc)
    switch $unparsed_tokens[1]
    case 'json-pretty-stream'
        __json-pretty-stream_parse_subcommand -r 1 'format=' 'color=' 'strict' 'line-buffered' 'follow' 'text' 'raw' 'indent=' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __json-pretty-stream_parse_subcommand -r 1 
        end
    end
end

function __json-pretty-stream_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __json-pretty-stream_parse_subcommand -S -a positional_count
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

function __json-pretty-stream_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __json-pretty-stream_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__json-pretty-stream_tokens -p)
    if test -z "$(__json-pretty-stream_tokens -t)"
        set -l index (count (__json-pretty-stream_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'json-pretty-stream' -f
complete -c 'json-pretty-stream' -n '__json-pretty-stream_should_offer_completions_for_flags_or_options "json-pretty-stream" format' -l 'format' -d 'Output: ndjson (records) or text (the rendered view). Default: text on a terminal, else ndjson.' -rfka 'ndjson text'
complete -c 'json-pretty-stream' -n '__json-pretty-stream_should_offer_completions_for_flags_or_options "json-pretty-stream" color' -l 'color' -d 'Colour in text output: auto (terminal and no NO_COLOR), always, never.' -rfka 'auto always never'
complete -c 'json-pretty-stream' -n '__json-pretty-stream_should_offer_completions_for_flags_or_options "json-pretty-stream" strict' -l 'strict' -d 'Make a line that is not a JSON object a fatal error (exit 2).'
complete -c 'json-pretty-stream' -n '__json-pretty-stream_should_offer_completions_for_flags_or_options "json-pretty-stream" line-buffered' -l 'line-buffered' -d 'Flush output after every record, even when piped.'
complete -c 'json-pretty-stream' -n '__json-pretty-stream_should_offer_completions_for_flags_or_options "json-pretty-stream" follow' -l 'follow' -d 'Keep reading files as they grow (like tail -F: rotation and truncation handled).'
complete -c 'json-pretty-stream' -n '__json-pretty-stream_should_offer_completions_for_flags_or_options "json-pretty-stream" text' -l 'text' -d 'Print the formatted text even when piped (same as --format text).'
complete -c 'json-pretty-stream' -n '__json-pretty-stream_should_offer_completions_for_flags_or_options "json-pretty-stream" raw' -l 'raw' -d 'Standard input is JSON text (any chunking, any size), not records.'
complete -c 'json-pretty-stream' -n '__json-pretty-stream_should_offer_completions_for_flags_or_options "json-pretty-stream" indent' -l 'indent' -d 'Spaces per nesting level (0 prints compact JSON).' -rfka ''
complete -c 'json-pretty-stream' -n '__json-pretty-stream_should_offer_completions_for_flags_or_options "json-pretty-stream" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'json-pretty-stream' -n '__json-pretty-stream_should_offer_completions_for_positional "json-pretty-stream" -eq 1' -fa 'help' -d 'Show subcommand help information.'
