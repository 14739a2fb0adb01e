function __rg-prefilter_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __rg-prefilter_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __rg-prefilter_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __rg-prefilter_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __rg-prefilter_parse_tokens -S
    set -l unparsed_tokens (__rg-prefilter_tokens -pc)
    switch $unparsed_tokens[1]
    case 'rg-prefilter'
        __rg-prefilter_parse_subcommand -r 1 'e/regexp=+' 'field=+' 'F/fixed-strings' 'i/ignore-case' 'v/invert-match' 'c/count' 'm/max-count=' 'l/files-with-matches' 'follow' 'line-buffered' 'j/threads=' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __rg-prefilter_parse_subcommand -r 1 
        end
    end
end

function __rg-prefilter_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __rg-prefilter_parse_subcommand -S -a positional_count
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

function __rg-prefilter_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __rg-prefilter_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__rg-prefilter_tokens -p)
    if test -z "$(__rg-prefilter_tokens -t)"
        set -l index (count (__rg-prefilter_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'rg-prefilter' -f
complete -c 'rg-prefilter' -n '__rg-prefilter_should_offer_completions_for_flags_or_options "rg-prefilter"' -s 'e' -l 'regexp' -d 'A pattern (repeatable: any may match).' -rfka ''
complete -c 'rg-prefilter' -n '__rg-prefilter_should_offer_completions_for_flags_or_options "rg-prefilter"' -l 'field' -d 'A JSON field KEY=VALUE every line must hold (repeatable).' -rfka ''
complete -c 'rg-prefilter' -n '__rg-prefilter_should_offer_completions_for_flags_or_options "rg-prefilter" F fixed-strings' -s 'F' -l 'fixed-strings' -d 'Patterns are literal strings, not regexes.'
complete -c 'rg-prefilter' -n '__rg-prefilter_should_offer_completions_for_flags_or_options "rg-prefilter" i ignore-case' -s 'i' -l 'ignore-case' -d 'Match case-insensitively (Unicode).'
complete -c 'rg-prefilter' -n '__rg-prefilter_should_offer_completions_for_flags_or_options "rg-prefilter" invert-match v' -s 'v' -l 'invert-match' -d 'Select the lines that do not match.'
complete -c 'rg-prefilter' -n '__rg-prefilter_should_offer_completions_for_flags_or_options "rg-prefilter" c count' -s 'c' -l 'count' -d 'Print the number of selected lines per file.'
complete -c 'rg-prefilter' -n '__rg-prefilter_should_offer_completions_for_flags_or_options "rg-prefilter" m max-count' -s 'm' -l 'max-count' -d 'Stop after NUM lines.' -rfka ''
complete -c 'rg-prefilter' -n '__rg-prefilter_should_offer_completions_for_flags_or_options "rg-prefilter" files-with-matches l' -s 'l' -l 'files-with-matches' -d 'Print only the names of matching files.'
complete -c 'rg-prefilter' -n '__rg-prefilter_should_offer_completions_for_flags_or_options "rg-prefilter" follow' -l 'follow' -d 'Keep reading a file as it grows, like tail -F (rotation and truncation handled).'
complete -c 'rg-prefilter' -n '__rg-prefilter_should_offer_completions_for_flags_or_options "rg-prefilter" line-buffered' -l 'line-buffered' -d 'Write after every block read, even when piped (always on a terminal and with --follow).'
complete -c 'rg-prefilter' -n '__rg-prefilter_should_offer_completions_for_flags_or_options "rg-prefilter" j threads' -s 'j' -l 'threads' -d 'Threads for a big file.' -rfka ''
complete -c 'rg-prefilter' -n '__rg-prefilter_should_offer_completions_for_flags_or_options "rg-prefilter" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rg-prefilter' -n '__rg-prefilter_should_offer_completions_for_positional "rg-prefilter" -eq 1' -fa 'help' -d 'Show subcommand help information.'
