#!/bin/sh
# What the tests need besides Python packages, from Debian's packages and the npm registry
# (never a download of a browser or a server of its own): Chromium for the player's browser
# tests and axe-core into tests/.tools; strace (a test watches that nothing connects out);
# WordPress with its default theme, MariaDB, PHP and php-codesniffer for the WordPress
# plugin's tests (the servers are started by the tests themselves, on 127.0.0.1).
set -e
# (the browser as Debian recommends it, fonts and all; the servers without extras)
browser="chromium strace"
servers="wordpress wordpress-theme-twentytwentythree mariadb-server php-cli php-mysql php-codesniffer"
missing() {
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            printf ' %s' "$package"
        fi
    done
}
# shellcheck disable=SC2086
need_browser="$(missing $browser)"
# shellcheck disable=SC2086
need_servers="$(missing $servers)"
if [ -n "$need_browser$need_servers" ]; then
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -q
    if [ -n "$need_browser" ]; then
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $need_browser
    fi
    if [ -n "$need_servers" ]; then
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $need_servers
    fi
fi
tools="$(dirname "$0")/.tools"
if [ ! -f "$tools/node_modules/axe-core/axe.min.js" ]; then
    mkdir -p "$tools"
    npm install --silent --no-audit --no-fund --prefix "$tools" axe-core@4
fi
