function __flow-web_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __flow-web_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __flow-web_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __flow-web_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __flow-web_parse_tokens -S
    set -l unparsed_tokens (__flow-web_tokens -pc)
    switch $unparsed_tokens[1]
    case 'flow-web'
        __flow-web_parse_subcommand -r 1 'format=' 'color=' 'strict' 'line-buffered' 'follow' 'listen=' 'keep=' 'exit-at-end' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __flow-web_parse_subcommand -r 1 
        end
    end
end

function __flow-web_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __flow-web_parse_subcommand -S -a positional_count
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

function __flow-web_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __flow-web_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__flow-web_tokens -p)
    if test -z "$(__flow-web_tokens -t)"
        set -l index (count (__flow-web_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'flow-web' -f
complete -c 'flow-web' -n '__flow-web_should_offer_completions_for_flags_or_options "flow-web" format' -l 'format' -d 'Output: ndjson (records) or text (the rendered view). Default: text on a terminal, else ndjson.' -rfka 'ndjson text'
complete -c 'flow-web' -n '__flow-web_should_offer_completions_for_flags_or_options "flow-web" color' -l 'color' -d 'Colour in text output: auto (terminal and no NO_COLOR), always, never.' -rfka 'auto always never'
complete -c 'flow-web' -n '__flow-web_should_offer_completions_for_flags_or_options "flow-web" strict' -l 'strict' -d 'Make a line that is not a JSON object a fatal error (exit 2).'
complete -c 'flow-web' -n '__flow-web_should_offer_completions_for_flags_or_options "flow-web" line-buffered' -l 'line-buffered' -d 'Flush output after every record, even when piped.'
complete -c 'flow-web' -n '__flow-web_should_offer_completions_for_flags_or_options "flow-web" follow' -l 'follow' -d 'Keep reading files as they grow (like tail -F: rotation and truncation handled).'
complete -c 'flow-web' -n '__flow-web_should_offer_completions_for_flags_or_options "flow-web" listen' -l 'listen' -d 'Address to serve on (loopback unless told otherwise; port 0 picks one).' -rfka ''
complete -c 'flow-web' -n '__flow-web_should_offer_completions_for_flags_or_options "flow-web" keep' -l 'keep' -d 'Flows kept in memory and on the page; older finished flows are paged out.' -rfka ''
complete -c 'flow-web' -n '__flow-web_should_offer_completions_for_flags_or_options "flow-web" exit-at-end' -l 'exit-at-end' -d 'Exit when the input ends instead of serving until interrupted.'
complete -c 'flow-web' -n '__flow-web_should_offer_completions_for_flags_or_options "flow-web" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'flow-web' -n '__flow-web_should_offer_completions_for_positional "flow-web" -eq 1' -fa 'help' -d 'Show subcommand help information.'
