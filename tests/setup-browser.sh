#!/bin/sh
# What the player's browser tests need besides Python packages: Debian's Chromium (never a
# browser download) and axe-core from the npm registry, into tests/.tools; and strace.
set -e
# strace: a test watches the speech engines' connect calls (audiogen talks to no one).
if ! command -v chromium >/dev/null 2>&1 || ! command -v strace >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium strace
fi
tools="$(dirname "$0")/.tools"
if [ ! -f "$tools/node_modules/axe-core/axe.min.js" ]; then
    mkdir -p "$tools"
    npm install --silent --no-audit --no-fund --prefix "$tools" axe-core@4
fi
