function __redis-dump_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __redis-dump_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __redis-dump_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __redis-dump_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __redis-dump_parse_tokens -S
    set -l unparsed_tokens (__redis-dump_tokens -pc)
    switch $unparsed_tokens[1]
    case 'redis-dump'
        __redis-dump_parse_subcommand 1 'host=' 'port=' 'socket=' 'user=' 'password=' 'db=' 'url=' 'from=' 'to=' 'batch=' 'follow' 'group=' 'consumer=' 'create-group' 'claim-idle=' 'count=' 'block-ms=' 'reconnect-timeout=' 'xadd=' 'maxlen=' 'line-buffered' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __redis-dump_parse_subcommand -r 1 
        end
    end
end

function __redis-dump_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __redis-dump_parse_subcommand -S -a positional_count
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

function __redis-dump_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __redis-dump_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__redis-dump_tokens -p)
    if test -z "$(__redis-dump_tokens -t)"
        set -l index (count (__redis-dump_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'redis-dump' -f
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" host' -l 'host' -d 'Redis host (default 127.0.0.1, or the host of --url / REDIS_URL).' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" port' -l 'port' -d 'Redis port (default 6379).' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" socket' -l 'socket' -d 'Connect to a Unix socket instead of TCP.' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" user' -l 'user' -d 'ACL user name (AUTH user password).' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" password' -l 'password' -d 'Password (AUTH); prefer REDIS_URL or --url to keep it out of ps.' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" db' -l 'db' -d 'Database number (SELECT).' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" url' -l 'url' -d 'redis://[user:password@]host[:port][/db] or unix:///path[?db=n]; default REDIS_URL.' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" from' -l 'from' -d 'Range: first id (inclusive; `(ID` exclusive; default -). Follow: read after this id (0 = whole stream; default: the end, $). --create-group: the group\'s start id.' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" to' -l 'to' -d 'Range: last id, inclusive (default +).' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" batch' -l 'batch' -d 'Entries per XRANGE/XREAD page, or per pipelined --xadd batch.' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" follow' -l 'follow' -d 'Keep reading new entries as they arrive (XREAD BLOCK, or XREADGROUP BLOCK with --group).'
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" group' -l 'group' -d 'Consumer group to read as (XREADGROUP); needs --consumer.' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" consumer' -l 'consumer' -d 'Consumer name within --group.' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" create-group' -l 'create-group' -d 'Create the group (XGROUP CREATE ... MKSTREAM) at --from (default $) when it does not exist.'
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" claim-idle' -l 'claim-idle' -d 'With --group: claim pending entries idle this long from other consumers (XAUTOCLAIM).' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" count' -l 'count' -d 'Stop after writing N entries.' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" block-ms' -l 'block-ms' -d 'How long one blocking read waits before it is re-issued.' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" reconnect-timeout' -l 'reconnect-timeout' -d 'After the connection drops, keep reconnecting this long (0: fail at once).' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" xadd' -l 'xadd' -d 'Read NDJSON from stdin; XADD each line to KEY as field `record`.' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" maxlen' -l 'maxlen' -d 'With --xadd: trim the stream to about N entries (XADD MAXLEN ~ N).' -rfka ''
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" line-buffered' -l 'line-buffered' -d 'Flush output after every page even when piped (always on a terminal).'
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_flags_or_options "redis-dump" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'redis-dump' -n '__redis-dump_should_offer_completions_for_positional "redis-dump" -eq 1' -fa 'help' -d 'Show subcommand help information.'
