"""A real WordPress for the plugin's tests: Debian's ``wordpress`` package (copied into a
folder of the test's own, with its own ``wp-config.php``), MariaDB from Debian on a Unix
socket of its own, and PHP's built-in server on 127.0.0.1. All three are installed by
``tests/setup.sh``; nothing here reaches beyond this machine (WordPress's own calls out are
blocked by its ``WP_HTTP_BLOCK_EXTERNAL``)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

WORDPRESS = Path("/usr/share/wordpress")
PLUGIN = Path(__file__).resolve().parent.parent / "integrations" / "wordpress" / "audiogen"
ADMIN = ("editor", "a-long-test-password-" + secrets.token_hex(4))

CONFIG = """<?php
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'root' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', 'localhost:{socket}' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
{salts}
$table_prefix = 'wp_';
define( 'WP_HOME', '{url}' );
define( 'WP_SITEURL', '{url}' );
define( 'WP_ENVIRONMENT_TYPE', 'local' );
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', '{debug_log}' );
define( 'WP_DEBUG_DISPLAY', false );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
define( 'DISALLOW_FILE_MODS', true );
if ( ! defined( 'ABSPATH' ) ) {{
	define( 'ABSPATH', __DIR__ . '/' );
}}
require_once ABSPATH . 'wp-settings.php';
"""

#: run by ``php`` in the site's folder: installs WordPress, activates the plugin, makes an
#: application password and saves the plugin's settings (JSON in argv[1]); prints JSON
INSTALL = r"""<?php
define( 'WP_INSTALLING', true );
$_SERVER['HTTP_HOST'] = parse_url( getenv( 'AUDIOGEN_WP_URL' ), PHP_URL_HOST );
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
$given = json_decode( $argv[1], true );
$installed = wp_install( 'The Daily Test', $given['user'], 'editor@news.example', true, '', wp_slash( $given['password'] ) );
update_option( 'permalink_structure', '' );
$result = activate_plugin( 'audiogen/audiogen.php' );
if ( is_wp_error( $result ) ) { fwrite( STDERR, $result->get_error_message() ); exit( 1 ); }
update_option( 'audiogen_settings', $given['settings'] );
list( $password ) = WP_Application_Passwords::create_new_application_password( $installed['user_id'], array( 'name' => 'tests' ) );
echo json_encode( array( 'user_id' => $installed['user_id'], 'app_password' => $password ) );
"""


#: a line of PHP's server log: ``[worker] [Mon Dec  7 13:39:56 2026] 127.0.0.1:50850 Accepted``
_LOG_LINE = re.compile(r"^\[(\d+)\] \[([^]]+)\] (\S+:\d+) (.*)$")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def available() -> str | None:
    """What is missing for a WordPress here, or ``None``."""
    for program in ("php", "mariadbd", "mariadb-install-db", "mariadb"):
        if shutil.which(program) is None and not Path("/usr/sbin", program).exists():
            return f"{program} is not installed: run tests/setup.sh"
    if not (WORDPRESS / "wp-settings.php").exists():
        return "Debian's wordpress package is not installed: run tests/setup.sh"
    return None


def _program(name: str) -> str:
    return shutil.which(name) or str(Path("/usr/sbin", name))


def _wait(check: Any, what: str, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} did not start: {log.read_text(errors='replace') if log.exists() else ''}")


def _stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


class WordPressSite:
    """MariaDB, a WordPress site with the plugin active, and PHP's server in front of it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.root = folder / "site"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.socket = folder / "db.sock"
        self.debug_log = folder / "debug.log"
        self.server_log = folder / "php.log"
        self.user, self.password = ADMIN
        self.app_password = ""
        self._processes: list[subprocess.Popen[Any]] = []
        folder.mkdir(parents=True, exist_ok=True)

    # -- the parts ------------------------------------------------------------------------

    def _start_database(self) -> None:
        data = self.folder / "db"
        log = self.folder / "db.log"
        with log.open("w") as out:
            subprocess.run(
                [
                    _program("mariadb-install-db"),
                    "--no-defaults",
                    f"--datadir={data}",
                    "--auth-root-authentication-method=normal",
                    "--user=root",
                    "--skip-test-db",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                check=True,
                timeout=120,
            )
        command = [
            _program("mariadbd"),
            "--no-defaults",
            f"--datadir={data}",
            f"--socket={self.socket}",
            "--skip-networking",
            "--user=root",
            f"--pid-file={self.folder / 'db.pid'}",
            f"--log-error={log}",
            "--innodb-buffer-pool-size=32M",
            "--skip-log-bin",
            # a test's database need not survive a power cut: no commit waits for the disk
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-doublewrite=0",
        ]
        self._processes.append(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        )
        _wait(self.socket.exists, "MariaDB", log)
        subprocess.run(
            [
                _program("mariadb"),
                "--no-defaults",
                f"--socket={self.socket}",
                "-uroot",
                "-e",
                "CREATE DATABASE wordpress",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def _write_site(self) -> None:
        shutil.copytree(WORDPRESS, self.root, symlinks=True)
        for name in ("wp-config.php", ".htaccess"):
            (self.root / name).unlink(missing_ok=True)
        salts = "\n".join(
            f"define( '{name}', '{secrets.token_hex(32)}' );"
            for name in (
                "AUTH_KEY",
                "SECURE_AUTH_KEY",
                "LOGGED_IN_KEY",
                "NONCE_KEY",
                "AUTH_SALT",
                "SECURE_AUTH_SALT",
                "LOGGED_IN_SALT",
                "NONCE_SALT",
            )
        )
        config = CONFIG.format(socket=self.socket, salts=salts, url=self.url, debug_log=self.debug_log)
        (self.root / "wp-config.php").write_text(config)
        (self.root / "wp-content" / "plugins" / "audiogen").symlink_to(PLUGIN, target_is_directory=True)
        (self.root / "wp-content" / "mu-plugins").mkdir()
        (self.root / "audiogen-install.php").write_text(INSTALL)

    def mu_plugin(self, name: str, code: str) -> None:
        """A must-use plugin of the test's (headers a site sends, say)."""
        (self.root / "wp-content" / "mu-plugins" / f"{name}.php").write_text(code)

    def _install(self, settings: dict[str, Any]) -> None:
        given = json.dumps({"user": self.user, "password": self.password, "settings": settings})
        result = self.php(str(self.root / "audiogen-install.php"), given)
        self.app_password = json.loads(result)["app_password"]
        (self.root / "audiogen-install.php").unlink()

    def php(self, *args: str) -> str:
        """``php`` run in the site's folder; its output (it must succeed)."""
        env = dict(os.environ, AUDIOGEN_WP_URL=self.url)
        done = subprocess.run(
            ["php", *args], cwd=self.root, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr + done.stdout
        return done.stdout

    def _serve(self) -> None:
        # each worker runs one script at a time; WP-Cron and WordPress's calls to itself hold some
        env = dict(os.environ, PHP_CLI_SERVER_WORKERS="8")
        with self.server_log.open("w") as log:
            self._processes.append(
                subprocess.Popen(
                    ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.root)],
                    cwd=self.root,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

        def answers() -> bool:
            with contextlib.suppress(httpx.HTTPError):
                return httpx.get(self.url + "/wp-login.php", timeout=5).status_code == 200
            return False

        _wait(answers, "PHP's server", self.server_log, 60)

    # -- use ------------------------------------------------------------------------------

    def start(self, settings: dict[str, Any]) -> WordPressSite:
        problem = available()
        assert problem is None, problem
        self._start_database()
        self._write_site()
        self._install(settings)
        self._serve()
        return self

    def stop(self) -> None:
        for process in reversed(self._processes):
            _stop(process)
        self._processes.clear()

    def rest(self) -> httpx.Client:
        """A client of the site's REST API, signed in with the application password."""
        return httpx.Client(
            base_url=self.url, auth=(self.user, self.app_password), timeout=60, params={}, follow_redirects=False
        )

    def option(self, name: str, value: Any) -> None:
        """Sets an option the way the site would (through its sanitizer)."""
        script = (
            "<?php $_SERVER['HTTP_HOST'] = '127.0.0.1'; require __DIR__ . '/wp-load.php';"
            " update_option( $argv[1], json_decode( $argv[2], true ) );"
        )
        path = self.root / "audiogen-option.php"
        path.write_text(script)
        try:
            self.php(str(path), name, json.dumps(value))
        finally:
            path.unlink()

    def in_flight(self, now: float | None = None) -> list[str]:
        """The requests PHP's server accepted and has not closed, oldest first, each with its
        age in seconds and, once known, its request line (from the server's log)."""
        accepted: dict[str, tuple[float, str]] = {}
        for line in self.server_log.read_text(errors="replace").splitlines():
            found = _LOG_LINE.match(line)
            if found is None:
                continue
            worker, stamp, client, what = found.groups()
            key = worker + " " + client
            if what == "Accepted":
                when = time.mktime(time.strptime(" ".join(stamp.split()), "%a %b %d %H:%M:%S %Y"))
                accepted[key] = (when, "")
            elif what == "Closing":
                accepted.pop(key, None)
            elif key in accepted:
                accepted[key] = (accepted[key][0], what)
        now = time.time() if now is None else now
        return [
            f"{now - when:.0f} s worker {key}: {what or '(its answer not yet sent)'}"
            for key, (when, what) in accepted.items()
        ]

    def processes(self) -> str:
        """MariaDB's process list: what each connection is running or waiting on."""
        done = subprocess.run(
            [_program("mariadb"), "--no-defaults", f"--socket={self.socket}", "-uroot", "-e", "SHOW FULL PROCESSLIST"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return done.stdout + done.stderr

    def report(self) -> str:
        """What the site is busy with, for a test that waited too long on it."""
        log = self.server_log.read_text(errors="replace").splitlines()[-40:]
        return "\n".join(
            ["requests in flight:", *self.in_flight(), "MariaDB:", self.processes(), "PHP's server, last lines:", *log]
        )

    def debug_lines(self) -> list[str]:
        """What PHP reported to WordPress's debug log (warnings, notices, errors)."""
        if not self.debug_log.exists():
            return []
        return [line for line in self.debug_log.read_text(errors="replace").splitlines() if line.strip()]


@contextlib.contextmanager
def wordpress(folder: Path, settings: dict[str, Any]) -> Iterator[WordPressSite]:
    site = WordPressSite(folder)
    try:
        yield site.start(settings)
    finally:
        site.stop()
