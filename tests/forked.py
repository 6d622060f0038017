"""Real processes of the ``dipsample`` command and of Python code, forked from a process
that has already imported the application.

Why: the hostile tests start hundreds of real processes (a store killed while it is
made, a sync killed at each named point, a second writer holding the lock). Each spent
0.5 to 0.9 s importing SQLAlchemy, the models, alembic and psycopg before it reached the
moment the test kills it in; together that was a third of the suite's time. A fork of a
process that has imported all that, and done nothing else (no thread, no engine, no
store, no Qt application, no logging set up), reaches ``main()`` in milliseconds.

What the test gets is still a real process: its own pid, its own pipes, environment,
working folder and umask, a store it opens itself, killed by SIGKILL at any moment, its
exit status (``-9`` when killed) read when it ends. Only the interpreter's start is
shared. So the entry point's own tests (that ``--version`` imports no database stack,
the self-test, the installed executable's exit codes) start the executable itself, as
does anything this module does not recognise (``-X dev``, another user, ``faketime``).
``DIPSAMPLE_TEST_EXEC=1`` starts every process the old way, to check a difference.

How: one server per test process (``python -m tests.forked SOCKET``), started on first
use and ended when that process ends (it reads its stdin, which closes then). A request
carries the command, environment, folder and umask, and the three pipe ends as file
descriptors (``SCM_RIGHTS``). The server forks a waiter for it, which forks the child,
sends back the child's pid, waits for it and sends its exit status.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import json
import os
import runpy
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable).with_name("dipsample")
EXEC_ENV = "DIPSAMPLE_TEST_EXEC"
#: A folder: each forked child writes its cProfile statistics there (tests/forked.py).
PROFILE_ENV = "FORKED_PROFILE"
#: Keyword arguments of ``subprocess.Popen`` a forked child honours; any other sends the
#: call to a real ``subprocess.Popen``.
_HONOURED = frozenset({"stdin", "stdout", "stderr", "text", "universal_newlines", "env",
                       "cwd", "encoding", "errors", "bufsize"})
#: What the server imports before it forks anything (each command's own modules too).
_PRELOAD = ("desktop.cli.main", "desktop.cli.support", "desktop.sync.central",
            "desktop.sync.status", "desktop.store.migrate", "psycopg", "alembic.command")


# -- the test's side ------------------------------------------------------------------

_server: subprocess.Popen[bytes] | None = None
_server_path: Path | None = None
_server_lock = threading.Lock()


def _socket_path() -> Path:
    global _server, _server_path
    with _server_lock:
        if _server is not None and _server.poll() is None and _server_path is not None:
            return _server_path
        folder = Path(tempfile.mkdtemp(prefix="dipsample-forked-"))
        path = folder / "server"
        # Its own environment says nothing of this test's: each child gets the one asked.
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIPSAMPLE_")}
        env["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
        _server = subprocess.Popen([sys.executable, "-m", "tests.forked", str(path)],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   cwd=ROOT, env=env)
        assert _server.stdout is not None
        line = _server.stdout.readline()
        if line.strip() != b"READY":
            _server.kill()
            raise RuntimeError(f"the forking server did not start: {line!r}")
        _server_path = path
        atexit.register(_stop, _server)
        return path


def ready() -> None:
    """Start the server now, if it is to be used: a test that times a process to kill
    the next one mid-way must not count the server's own start in that time."""
    if not os.environ.get(EXEC_ENV):
        _socket_path()


def _stop(server: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        if server.stdin is not None:
            server.stdin.close()
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=5)
    if server.stdout is not None:  # else "unclosed file" is the run's last line
        server.stdout.close()


def _umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _kind(args: list[str]) -> tuple[str, str, list[str]] | None:
    """What a command line runs, as (kind, what, argv), or None if not forkable."""
    if not args:
        return None
    first = str(args[0])
    rest = [str(a) for a in args[1:]]
    if first == str(EXE):
        return "dipsample", "", [first, *rest]
    if first == sys.executable and len(rest) >= 2 and rest[0] == "-m":
        return "module", rest[1], [rest[1], *rest[2:]]
    if first == sys.executable and len(rest) >= 2 and rest[0] == "-c":
        return "code", rest[1], ["-c", *rest[2:]]
    return None


class ForkedProcess:
    """The part of ``subprocess.Popen`` the tests use, for a child of the server."""

    def __init__(self, args: list[str], kind: tuple[str, str, list[str]],
                 stdin: Any = None, stdout: Any = None, stderr: Any = None,
                 text: bool = False, universal_newlines: bool = False,
                 env: dict[str, str] | None = None, cwd: str | Path | None = None,
                 encoding: str | None = None, errors: str | None = None,
                 bufsize: int = -1) -> None:
        self.args = args
        self.returncode: int | None = None
        self._text = bool(text or universal_newlines or encoding or errors)
        self._encoding = encoding or "utf-8"
        self._errors = errors or "strict"
        theirs: list[int] = []
        close_after: list[int] = []
        self.stdin: IO[Any] | None = None
        self.stdout: IO[Any] | None = None
        self.stderr: IO[Any] | None = None
        ours: dict[str, int] = {}
        for name, how, default in (("stdin", stdin, 0), ("stdout", stdout, 1),
                                   ("stderr", stderr, 2)):
            if how == subprocess.PIPE:
                read, write = os.pipe()
                mine, child = (write, read) if name == "stdin" else (read, write)
                ours[name] = mine
                theirs.append(child)
                close_after.append(child)
            elif how == subprocess.DEVNULL:
                fd = os.open(os.devnull, os.O_RDWR)
                theirs.append(fd)
                close_after.append(fd)
            elif how == subprocess.STDOUT and name == "stderr":
                theirs.append(theirs[1])
            elif how is None:
                theirs.append(default)
            elif isinstance(how, int):
                theirs.append(how)
            else:
                theirs.append(how.fileno())
        request = {"kind": kind[0], "what": kind[1], "argv": kind[2],
                   "env": dict(os.environ if env is None else env),
                   "cwd": str(cwd) if cwd is not None else os.getcwd(), "umask": _umask()}
        self._conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._conn.connect(str(_socket_path()))
            body = json.dumps(request).encode("utf-8")
            socket.send_fds(self._conn, [struct.pack("!I", len(body))], theirs)
            self._conn.sendall(body)
        finally:
            for fd in close_after:
                os.close(fd)
        self._answer = b""
        pid = self._line(None)
        if pid is None or not pid.lstrip("-").isdigit():
            raise RuntimeError(f"the forking server did not start {args!r}: {pid!r}")
        self.pid = int(pid)
        for name, fd in ours.items():
            setattr(self, name, self._file(fd, "wb" if name == "stdin" else "rb", bufsize))

    def _file(self, fd: int, mode: str, bufsize: int) -> IO[Any]:
        raw = open(fd, mode, buffering=-1 if bufsize in (-1, 1) else bufsize)  # noqa: SIM115
        if not self._text:
            return raw
        import io

        return io.TextIOWrapper(raw, encoding=self._encoding, errors=self._errors,
                                write_through=mode == "wb", line_buffering=mode == "wb")

    def _line(self, timeout: float | None) -> str | None:
        """The next line the waiter sends (the pid, then the exit status)."""
        while b"\n" not in self._answer:
            ready = selectors.DefaultSelector()
            ready.register(self._conn, selectors.EVENT_READ)
            try:
                if not ready.select(timeout):
                    return None
            finally:
                ready.close()
            chunk = self._conn.recv(64)
            if not chunk:
                raise RuntimeError("the forking server's waiter ended without a status")
            self._answer += chunk
        line, self._answer = self._answer.split(b"\n", 1)
        return line.decode()

    def poll(self) -> int | None:
        if self.returncode is None:
            status = self._line(0)
            if status is not None:
                self.returncode = int(status)
                self._conn.close()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            status = self._line(timeout)
            if status is None:
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
            self.returncode = int(status)
            self._conn.close()
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def communicate(self, input: Any = None, timeout: float | None = None
                    ) -> tuple[Any, Any]:
        """Write ``input``, read both pipes to their end, wait: as ``Popen`` does."""
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        if not hasattr(self, "_read"):
            # What each pipe gave, kept: a second call (after a timeout, or once more
            # after the end) returns all of it, as Popen's does.
            self._read: dict[str, list[bytes]] = {"stdout": [], "stderr": []}
            self._pending = b""
            if self.stdin is not None:
                if input:
                    data = input.encode(self._encoding) if isinstance(input, str) else input
                    self._pending = data
                else:
                    self.stdin.close()
        selector = selectors.DefaultSelector()
        try:
            for name in ("stdout", "stderr"):
                stream = getattr(self, name)
                if stream is not None and not stream.closed:
                    selector.register(stream.fileno(), selectors.EVENT_READ, name)
            if self._pending and self.stdin is not None and not self.stdin.closed:
                self.stdin.flush()
                selector.register(self.stdin.fileno(), selectors.EVENT_WRITE, "stdin")
            while selector.get_map():
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise subprocess.TimeoutExpired(self.args, timeout or 0)
                for key, _ in selector.select(left):
                    if key.data == "stdin":
                        try:
                            sent = os.write(key.fd, self._pending[:65536])
                        except BrokenPipeError:
                            sent, self._pending = 0, b""
                        self._pending = self._pending[sent:]
                        if not self._pending:
                            selector.unregister(key.fd)
                            assert self.stdin is not None
                            self.stdin.close()
                        continue
                    chunk = os.read(key.fd, 65536)
                    if chunk:
                        self._read[key.data].append(chunk)
                    else:
                        selector.unregister(key.fd)
                        getattr(self, key.data).close()
        finally:
            selector.close()
        left = None if deadline is None else max(deadline - time.monotonic(), 0)
        self.wait(left)
        return (None if self.stdout is None else self._decoded(b"".join(self._read["stdout"])),
                None if self.stderr is None else self._decoded(b"".join(self._read["stderr"])))

    def _decoded(self, data: bytes) -> Any:
        if not self._text:
            return data
        return data.decode(self._encoding, self._errors).replace("\r\n", "\n") \
            .replace("\r", "\n")

    def __enter__(self) -> ForkedProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        for stream in (self.stdout, self.stderr, self.stdin):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self.wait()


def Popen(args: list[Any], **kwargs: Any) -> Any:
    """``subprocess.Popen(args, **kwargs)``, forked from the server when it can be."""
    kind = _kind(list(args))
    kwargs = {k: v for k, v in kwargs.items() if k in _HONOURED or v is not None}
    if kind is None or os.environ.get(EXEC_ENV) or not set(kwargs) <= _HONOURED:
        return subprocess.Popen(args, **kwargs)
    return ForkedProcess([str(a) for a in args], kind, **kwargs)


def run(args: list[Any], *, input: Any = None, capture_output: bool = False,
        timeout: float | None = None, check: bool = False, **kwargs: Any
        ) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run`` on :func:`Popen`."""
    if capture_output:
        kwargs["stdout"] = kwargs["stderr"] = subprocess.PIPE
    if input is not None:
        kwargs["stdin"] = subprocess.PIPE
    with Popen(args, **kwargs) as process:
        try:
            out, err = process.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
    done = subprocess.CompletedProcess(args, process.returncode, out, err)
    if check:
        done.check_returncode()
    return done


# -- the server's side ----------------------------------------------------------------

def _receive(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    head, fds, _flags, _addr = socket.recv_fds(conn, 4, 3)
    while len(head) < 4:
        more = conn.recv(4 - len(head))
        if not more:
            raise EOFError
        head += more
    (size,) = struct.unpack("!I", head)
    body = b""
    while len(body) < size:
        more = conn.recv(size - len(body))
        if not more:
            raise EOFError
        body += more
    return json.loads(body), list(fds)


def _child(request: dict[str, Any], fds: list[int]) -> None:
    """In the forked child: become the process asked for, run it, exit as it would."""
    code: Any = 0
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in set(fds):
            if fd > 2:
                os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        for entry in reversed(request["env"].get("PYTHONPATH", "").split(os.pathsep)):
            if entry and entry not in sys.path:
                sys.path.insert(0, entry)
        os.chdir(request["cwd"])
        os.umask(request["umask"])
        sys.argv = list(request["argv"])
        profile_to = os.environ.get(PROFILE_ENV)
        if profile_to:  # where a slow child spends its time, one file per child
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
            atexit.register(lambda: profiler.dump_stats(
                os.path.join(profile_to, f"{os.getpid()}.prof")))
        try:
            if request["kind"] == "dipsample":
                from desktop.cli.main import main

                code = main()
            elif request["kind"] == "module":
                runpy.run_module(request["what"], run_name="__main__", alter_sys=True)
            else:
                exec(compile(request["what"], "<string>", "exec"),
                     {"__name__": "__main__", "__builtins__": builtins})
        except SystemExit as exc:
            code = exc.code
        except BaseException as exc:  # as the interpreter reports it, without this frame
            sys.excepthook(type(exc), exc, exc.__traceback__.tb_next
                           if exc.__traceback__ is not None else None)
            code = 1
        threading._shutdown()  # type: ignore[attr-defined]  # as the interpreter does
        atexit._run_exitfuncs()
    finally:
        if code is None:
            code = 0
        elif not isinstance(code, int):
            with contextlib.suppress(Exception):
                print(code, file=sys.stderr)
            code = 1
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code & 0xFF)


def _waiter(conn: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
    """In the forked waiter: fork the child, say its pid, wait, say its exit status."""
    try:
        child = os.fork()
        if child == 0:
            conn.close()
            _child(request, fds)
        for fd in set(fds):
            if fd > 2:
                os.close(fd)
        conn.sendall(f"{child}\n".encode())
        _pid, status = os.waitpid(child, 0)
        conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
    finally:
        os._exit(0)


def serve(path: Path) -> None:
    import importlib

    for name in _PRELOAD:
        importlib.import_module(name)
    import pkgutil

    from desktop.cli import commands

    for info in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"desktop.cli.commands.{info.name}")
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    from desktop.store import migrate
    from tests import work_factors

    work_factors.lower()  # as in the test process (tests/work_factors.py says why)
    migrate.head_schema()  # each child's new store replays it, not the scripts
    if threading.active_count() != 1:
        raise RuntimeError("a thread started while importing: forking would copy it")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # waiters are reaped by the system
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(0, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select():
            if key.fd == 0:
                if not os.read(0, 4096):
                    return  # the test process has ended
                continue
            conn, _addr = listener.accept()
            try:
                request, fds = _receive(conn)
            except (OSError, EOFError, ValueError):
                conn.close()
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            if os.fork() == 0:
                listener.close()
                selector.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _waiter(conn, request, fds)
            conn.close()
            for fd in fds:
                os.close(fd)


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
