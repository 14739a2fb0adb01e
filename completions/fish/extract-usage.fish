function __extract-usage_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __extract-usage_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __extract-usage_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __extract-usage_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __extract-usage_parse_tokens -S
    set -l unparsed_tokens (__extract-usage_tokens -pc)
    switch $unparsed_tokens[1]
    case 'extract-usage'
        __extract-usage_parse_subcommand -r 1 'no-progress' 'strict' 'by=' 'prices=' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __extract-usage_parse_subcommand -r 1 
        end
    end
end

function __extract-usage_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __extract-usage_parse_subcommand -S -a positional_count
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

function __extract-usage_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __extract-usage_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__extract-usage_tokens -p)
    if test -z "$(__extract-usage_tokens -t)"
        set -l index (count (__extract-usage_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'extract-usage' -f
complete -c 'extract-usage' -n '__extract-usage_should_offer_completions_for_flags_or_options "extract-usage" no-progress' -l 'no-progress' -d 'Never show the progress line (it is shown only when stderr is a terminal and the input is over 50 MB).'
complete -c 'extract-usage' -n '__extract-usage_should_offer_completions_for_flags_or_options "extract-usage" strict' -l 'strict' -d 'Make a line that is not a JSON object a fatal error (exit 2).'
complete -c 'extract-usage' -n '__extract-usage_should_offer_completions_for_flags_or_options "extract-usage" by' -l 'by' -d 'Group by session, model or day (UTC).' -rfka 'session model day'
complete -c 'extract-usage' -n '__extract-usage_should_offer_completions_for_flags_or_options "extract-usage" prices' -l 'prices' -d 'Prices, USD per million tokens: {"MODEL":{"input":3,"output":15,"cache_read":0.3,"cache_write":3.75},…}; "*" for any other model. Adds cost_usd.' -rfka ''
complete -c 'extract-usage' -n '__extract-usage_should_offer_completions_for_flags_or_options "extract-usage" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'extract-usage' -n '__extract-usage_should_offer_completions_for_positional "extract-usage" -eq 1' -fa 'help' -d 'Show subcommand help information.'
