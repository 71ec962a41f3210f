# Sourced by the scripts that start servers which outlive them (install.sh, start-postgres,
# start-swift).

# Closes every descriptor but stdin, stdout and stderr, before a daemon starts: it keeps
# none of its launcher's (a caller waiting for this script's pipes to close, or watching a
# descriptor for its exit as Foundation's Process does, would otherwise wait forever).
close_inherited_descriptors() {
    for fd in /proc/self/fd/*; do
        fd=${fd##*/}
        if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
}
