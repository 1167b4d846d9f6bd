#!/bin/sh
# The library as others use it (README "Using the library"): installs the build tree into a fresh
# prefix and builds and runs the C API's consumer program against it through find_package (shared
# and static) and pkg-config, or, with mode `subdirectory`, through add_subdirectory of the source.
# Usage: consumer_test.sh installed|subdirectory BUILD_DIR SOURCE_DIR WORK_DIR
set -eu
mode=$1 build=$2 source=$3 work=$4
consumer="$source/tests/package/consumer"
rm -rf "$work"
mkdir -p "$work"

fail() { echo "consumer_test: $*" >&2; exit 1; }

build_and_run() {  # NAME, then cmake arguments
    name=$1
    shift
    cmake -S "$consumer" -B "$work/$name" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" > "$work/$name.log" 2>&1 \
        || { cat "$work/$name.log" >&2; fail "$name: configuring the consumer failed"; }
    cmake --build "$work/$name" --target ltx2_consumer >> "$work/$name.log" 2>&1 \
        || { tail -40 "$work/$name.log" >&2; fail "$name: building the consumer failed"; }
    "$work/$name/ltx2_consumer" || fail "$name: the consumer's checks failed"
    echo "consumer_test: $name passed"
}

case $mode in
installed)
    prefix="$work/prefix"
    cmake --install "$build" --prefix "$prefix" > "$work/install.log" 2>&1 \
        || { cat "$work/install.log" >&2; fail "cmake --install $build failed"; }
    library=$(find "$prefix" -name 'libltx2.so.*.*' -type f | head -1)
    [ -n "$library" ] || fail "no libltx2.so installed under $prefix"
    # The shared library exports the C API and nothing else.
    others=$(nm -D --defined-only "$library" | awk '{print $3}' | grep -v '^ltx2_' | grep -v '^_init$\|^_fini$' || true)
    [ -z "$others" ] || fail "$library exports symbols beside ltx2_*: $(echo "$others" | head -5)"
    nm -D --defined-only "$library" | grep -q ' ltx2_generate$' || fail "$library does not export ltx2_generate"

    build_and_run shared -DCMAKE_PREFIX_PATH="$prefix" -DLTX2_CONSUMER_MODE=shared
    # A program on the shared library needs no library of the engine's besides it.
    needed=$(readelf -d "$work/shared/ltx2_consumer" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
    case " $needed" in *" libltx2.so"*) ;; *) fail "the shared consumer does not load libltx2.so (NEEDED: $needed)" ;; esac
    case "$needed" in *dnnl*|*avformat*|*curl*|*gomp*) fail "the shared consumer links the engine's dependencies: $needed" ;; esac

    build_and_run static -DCMAKE_PREFIX_PATH="$prefix" -DLTX2_CONSUMER_MODE=static

    pcdir=$(dirname "$(find "$prefix" -name ltx2.pc | head -1)")
    flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs ltx2) || fail "pkg-config does not find ltx2.pc in $pcdir"
    # shellcheck disable=SC2086  # the flags are words
    cc -std=c11 -Wall -Wextra -Werror -pedantic "$source/tests/capi/consumer.c" $flags -lm -o "$work/pkg-config-consumer" \
        || fail "building the consumer with pkg-config's flags ($flags) failed"
    LD_LIBRARY_PATH="$(dirname "$library")" "$work/pkg-config-consumer" || fail "pkg-config: the consumer's checks failed"
    echo "consumer_test: pkg-config passed"
    ;;
subdirectory)
    build_and_run subdirectory -DLTX2_CONSUMER_MODE=subdirectory -DLTX2_SOURCE_DIR="$source"
    ;;
*)
    fail "unknown mode '$mode' (expected installed or subdirectory)"
    ;;
esac
