function __flow-interleave_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __flow-interleave_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __flow-interleave_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __flow-interleave_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __flow-interleave_parse_tokens -S
    set -l unparsed_tokens (__flow-interleave_tokens -pc)
    switch $unparsed_tokens[1]
    case 'flow-interleave'
        __flow-interleave_parse_subcommand -r 1 'format=' 'color=' 'strict' 'line-buffered' 'follow' 'clock=' 'session-guard-ms=' 'flush-interval=' 'dead-after=' 'show-time' 'show-flow-id' 'from-start' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __flow-interleave_parse_subcommand -r 1 
        end
    end
end

function __flow-interleave_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __flow-interleave_parse_subcommand -S -a positional_count
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

function __flow-interleave_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __flow-interleave_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__flow-interleave_tokens -p)
    if test -z "$(__flow-interleave_tokens -t)"
        set -l index (count (__flow-interleave_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'flow-interleave' -f
complete -c 'flow-interleave' -n '__flow-interleave_should_offer_completions_for_flags_or_options "flow-interleave" format' -l 'format' -d 'Output: ndjson (records) or text (the rendered view). Default: text on a terminal, else ndjson.' -rfka 'ndjson text'
complete -c 'flow-interleave' -n '__flow-interleave_should_offer_completions_for_flags_or_options "flow-interleave" color' -l 'color' -d 'Colour in text output: auto (terminal and no NO_COLOR), always, never.' -rfka 'auto always never'
complete -c 'flow-interleave' -n '__flow-interleave_should_offer_completions_for_flags_or_options "flow-interleave" strict' -l 'strict' -d 'Make a line that is not a JSON object a fatal error (exit 2).'
complete -c 'flow-interleave' -n '__flow-interleave_should_offer_completions_for_flags_or_options "flow-interleave" line-buffered' -l 'line-buffered' -d 'Flush output after every record, even when piped.'
complete -c 'flow-interleave' -n '__flow-interleave_should_offer_completions_for_flags_or_options "flow-interleave" follow' -l 'follow' -d 'Keep reading files as they grow (like tail -F: rotation and truncation handled).'
complete -c 'flow-interleave' -n '__flow-interleave_should_offer_completions_for_flags_or_options "flow-interleave" clock' -l 'clock' -d 'Time source: wall (arrival time, live) or recorded (the records\' ts: same view every run).' -rfka 'wall recorded'
complete -c 'flow-interleave' -n '__flow-interleave_should_offer_completions_for_flags_or_options "flow-interleave" session-guard-ms' -l 'session-guard-ms' -d 'A card of another session waits this long (ms) before it may take the screen.' -rfka ''
complete -c 'flow-interleave' -n '__flow-interleave_should_offer_completions_for_flags_or_options "flow-interleave" flush-interval' -l 'flush-interval' -d 'Seconds the open card must be idle before another card may be shown.' -rfka ''
complete -c 'flow-interleave' -n '__flow-interleave_should_offer_completions_for_flags_or_options "flow-interleave" dead-after' -l 'dead-after' -d 'Seconds without any record after which a flow\'s card is DEAD (0: never).' -rfka ''
complete -c 'flow-interleave' -n '__flow-interleave_should_offer_completions_for_flags_or_options "flow-interleave" show-time' -l 'show-time' -d 'Show times on card headers and status lines.'
complete -c 'flow-interleave' -n '__flow-interleave_should_offer_completions_for_flags_or_options "flow-interleave" show-flow-id' -l 'show-flow-id' -d 'Show each card\'s flow id in its header.'
complete -c 'flow-interleave' -n '__flow-interleave_should_offer_completions_for_flags_or_options "flow-interleave" from-start' -l 'from-start' -d 'With --follow, read the files from the start instead of from their end.'
complete -c 'flow-interleave' -n '__flow-interleave_should_offer_completions_for_flags_or_options "flow-interleave" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'flow-interleave' -n '__flow-interleave_should_offer_completions_for_positional "flow-interleave" -eq 1' -fa 'help' -d 'Show subcommand help information.'
