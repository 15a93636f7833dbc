"""The grader's handle on a sandbox that holds a warm zygote, which forks the students' processes.

Importing torch costs about 2 s of CPU; a class of 100 would pay it 100 times. A
:class:`Nursery` starts the sandbox (:mod:`coursepkg.grading.trusted.sandbox`) once, with the
zygote (:mod:`coursepkg.grading.sandboxed.zygote`) inside, which imports torch once and forks
one confined worker per submission (and per restart). A class run keeps one nursery per job,
each under its own uid as root, and reuses it for notebook after notebook; between two
notebooks :meth:`Nursery.clean` ends every process of the previous one and waits until they
are gone.

The nursery's control channel is a ``SOCK_SEQPACKET`` socket pair. The grader's end is
inherited by the trusted pytest process, whose :class:`Client` sends ``spawn`` requests with
the worker's three pipes attached (the grader keeps the other ends: nothing the worker sends
passes through the zygote). The zygote's messages are checked like any other (schema and
size), although no student code runs in it.
"""

from __future__ import annotations

import json
import os
import secrets
import select
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from coursepkg.grading import protocol
from coursepkg.grading.trusted import sandbox


def reachable_tmp() -> str:
    """A temporary folder the sandbox's unprivileged uid can traverse to: ``$TMPDIR`` when it
    can (a ``TMPDIR`` inside a root-only folder cannot be reached), else ``/tmp``."""
    for folder in (tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"):
        if os.path.isdir(folder) and sandbox.reachable(Path(folder)):
            return folder
    raise sandbox.SandboxUnavailable("no temporary folder other users can reach")


START_TIMEOUT = 180.0  # the zygote imports torch; a loaded machine may take a while
MAX_PACKET = 65536
EVENT = {
    "ready": protocol.Record(
        {"event": "ready", "pid": protocol.Integer(0), "mode": protocol.Text(20)}
    ),
    "failed": protocol.Record({"event": "failed", "message": protocol.Text(1000)}),
    "spawned": protocol.Record({"event": "spawned", "id": protocol.Integer(0)}),
    "exited": protocol.Record(
        {"event": "exited", "id": protocol.Integer(0), "code": protocol.Integer(-1000, 1000)}
    ),
    "clean": protocol.Record({"event": "clean"}),
    "pong": protocol.Record({"event": "pong"}),
    "error": protocol.Record({"event": "error", "message": protocol.Text(1000)}),
}


class NurseryError(Exception):
    """The sandbox could not start, or stopped answering: the grader's problem, not the
    student's."""


class Client:
    """Requests to a nursery's zygote over one end of its control socket."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.exited: dict[int, int] = {}
        self.mode: str | None = None
        self._next_id = secrets.randbelow(2**30)  # ids differ between clients of one zygote

    def new_id(self) -> int:
        """A worker id not used before by this client."""
        self._next_id = self._next_id % (2**31 - 2) + 1
        self.exited.pop(self._next_id, None)
        return self._next_id

    @classmethod
    def from_fd(cls, fd: int) -> Client:
        return cls(socket.socket(fileno=fd))

    def _next(self, deadline: float) -> dict:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the sandbox did not answer in time")
            ready, _, _ = select.select([self.sock], [], [], remaining)
            if not ready:
                continue
            try:
                data = self.sock.recv(MAX_PACKET)
            except OSError as error:
                raise NurseryError(f"the sandbox's zygote is gone ({error.strerror})") from None
            if not data:
                raise NurseryError("the sandbox's zygote ended")
            try:
                event = protocol.loads(data, protocol.Limits(bytes=MAX_PACKET, items=100))
                schema = EVENT.get(event.get("event")) if type(event) is dict else None
                if schema is None:
                    raise protocol.ProtocolError("unknown event")
                protocol.check(event, schema, "the zygote's message")
            except protocol.ProtocolError as error:
                raise NurseryError(f"the sandbox sent an invalid message ({error})") from None
            kind = event["event"]
            if kind == "exited":
                self.exited[event["id"]] = event["code"]
            elif kind == "ready":
                self.mode = event["mode"]
            elif kind == "failed":
                raise NurseryError(f"the sandbox could not start Python: {event['message']}")
            return event

    def _send(self, message: dict, fds: list[int] = ()) -> None:
        data = json.dumps(message).encode("utf-8")
        try:
            if fds:
                socket.send_fds(self.sock, [data], list(fds))
            else:
                self.sock.send(data)
        except OSError as error:
            raise NurseryError(f"the sandbox's zygote is gone ({error.strerror})") from None

    def wait_ready(self, deadline: float) -> str:
        while self.mode is None:
            self._next(deadline)
        return self.mode

    def spawn(self, worker_id: int, fds: list[int], limits: dict, deadline: float) -> None:
        """Ask for a worker on the pipes ``fds`` (request read end, reply write end, output
        write end); returns once the zygote has forked it."""
        self._send({"op": "spawn", "id": worker_id, "limits": limits}, fds)
        while True:
            event = self._next(deadline)
            if event["event"] == "spawned" and event["id"] == worker_id:
                return
            if event["event"] == "error":
                raise NurseryError(f"the sandbox refused a worker: {event['message']}")

    def kill(self, worker_id: int) -> None:
        self._send({"op": "kill", "id": worker_id})

    def exit_code(self, worker_id: int, deadline: float) -> int | None:
        """The worker's exit code, waiting until ``deadline`` for the zygote to report it."""
        try:
            while worker_id not in self.exited:
                self._next(deadline)
        except (TimeoutError, NurseryError):
            return None
        return self.exited[worker_id]

    def clean(self, deadline: float) -> None:
        """End every worker and wait until their processes are gone."""
        self._send({"op": "clean"})
        while self._next(deadline)["event"] != "clean":
            pass


class Nursery:
    """A running sandbox with its zygote (see the module docstring).

    ``secrets`` are folders that must stay out of sight even if they lie inside a folder
    the sandbox needs (the hidden suites, the checkout, the submissions, private folders);
    ``preload`` modules the zygote imports once, besides torch.
    """

    def __init__(self, secrets: list[Path] = (), tmp_bytes: int = 256 * 2**20, preload: tuple = ()):
        self.secrets = [Path(s) for s in secrets]
        self.tmp_bytes = tmp_bytes
        self.preload = tuple(preload)
        self.mode = sandbox.mode()
        self.process: subprocess.Popen | None = None
        self.client: Client | None = None
        self.uid: int | None = None
        self._lock = None
        self._folders: list[Path] = []
        self._log: Path | None = None

    # --- starting -----------------------------------------------------------------------------

    def start(self) -> Nursery:
        """Start the sandbox and its zygote (which then imports torch in the background)."""
        if self.mode == "reduced" and os.geteuid() == 0:
            if os.environ.get("COURSEPKG_SANDBOX", "").lower() != "reduced":
                raise sandbox.SandboxUnavailable(
                    "grading as root needs bubblewrap (Debian: apt-get install bubblewrap); "
                    "set COURSEPKG_SANDBOX=reduced to grade with resource limits only"
                )
        if self.mode == "reduced":
            sandbox.warn_reduced("bubblewrap (bwrap) is not installed")
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self) -> None:
        skeleton = Path(tempfile.mkdtemp(prefix="coursepkg-skeleton-"))
        self._folders.append(skeleton)
        sandbox.stage_skeleton(skeleton)
        view = sandbox.build_view(skeleton, self.secrets)
        if self.mode == "bwrap" and os.geteuid() == 0:
            self.uid, self._lock = sandbox.UidPool().acquire()
        if self.mode == "bwrap":
            problem = self._probe(view)
            if problem and os.geteuid() == 0:
                raise sandbox.SandboxUnavailable(f"bubblewrap cannot build the sandbox: {problem}")
            if problem:
                sandbox.warn_reduced(f"bubblewrap cannot build the sandbox here ({problem})")
                self.mode = "reduced"
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        mode = "reduced" if self.mode == "reduced" else "namespaces"
        args = [str(theirs.fileno()), mode, *self.preload]
        if self.mode == "reduced":
            view.sys_path[0] = str(skeleton)
            python = [str(view.python), "-s", "-S", "-u", "-c", sandbox.boot_code(view)]
            command, env = [*python, *args], dict(sandbox.ENVIRONMENT, HOME="/tmp")
            if os.geteuid() == 0:  # never the students' code as root
                self.uid, self._lock = sandbox.UidPool().acquire()
                if not all(sandbox.reachable(s) for s, _ in view.binds):
                    raise sandbox.SandboxUnavailable(
                        "grading as root without bubblewrap needs a Python every user can "
                        "run; install bubblewrap (Debian: apt-get install bubblewrap)"
                    )
                command = [*sandbox.drop_to(self.uid), *command]
        else:
            command = self._command(view, sandbox.boot_code(view), args)
            env = {"PATH": "/usr/bin:/bin"}
        log_fd, log = tempfile.mkstemp(prefix="coursepkg-nursery-", suffix=".log")
        self._log = Path(log)
        try:
            self.process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_fd,
                stderr=log_fd,
                pass_fds=(theirs.fileno(),),
                start_new_session=True,
                cwd="/",
            )
        finally:
            os.close(log_fd)
            theirs.close()
        self.client = Client(ours)

    def _probe(self, view: sandbox.View) -> str:
        """Run Python in the sandbox and enter a worker's namespaces there: "" if that works,
        else what failed."""
        command = self._command(view, sandbox.probe_code(view), [])
        try:
            done = subprocess.run(
                command,
                env={"PATH": "/usr/bin:/bin"},
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=60,
                cwd="/",
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return str(error)
        if done.returncode == 0:
            return ""
        text = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
        return text[-500:] or f"exit code {done.returncode}"

    def _command(self, view: sandbox.View, code: str, args: list[str]) -> list[str]:
        """The command that runs ``python -c code args`` in the sandbox (as root: as the
        nursery's uid, with unreachable folders staged first)."""
        python = [str(view.python), "-s", "-S", "-u", "-c", code, *args]
        if os.geteuid() != 0:
            return ["bwrap", *sandbox.bwrap_arguments(view, self.tmp_bytes), "--", *python]
        drop = sandbox.drop_to(self.uid)
        unreachable = [s for s, _ in view.binds if not sandbox.reachable(s)]
        if not unreachable:
            return [*drop, "bwrap", *sandbox.bwrap_arguments(view, self.tmp_bytes), "--", *python]
        stage = Path(tempfile.mkdtemp(prefix="coursepkg-stage-", dir=reachable_tmp()))
        self._folders.append(stage)
        script, staged = sandbox.staging_script(unreachable, stage)
        bwrap = ["bwrap", *sandbox.bwrap_arguments(view, self.tmp_bytes, staged)]
        unshare = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script]
        return [*unshare, "coursepkg-sandbox", *drop, *bwrap, "--", *python]

    # --- using --------------------------------------------------------------------------------

    def wait_ready(self, timeout: float = START_TIMEOUT) -> str:
        """Wait until the zygote has imported torch; returns the workers' mode."""
        try:
            return self.client.wait_ready(time.monotonic() + timeout)
        except (NurseryError, TimeoutError) as error:
            raise NurseryError(f"{error}{self.log_tail()}") from None

    def log_tail(self) -> str:
        """The end of what the sandbox printed (bubblewrap's and the zygote's errors)."""
        try:
            with open(self._log, "rb") as handle:
                handle.seek(max(0, os.path.getsize(self._log) - 2000))
                text = handle.read().decode("utf-8", "replace").strip()
        except (OSError, TypeError):
            return ""
        return f"\n{text}" if text else ""

    def fileno(self) -> int:
        """The control socket's descriptor, for a trusted process that inherits it."""
        return self.client.sock.fileno()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def clean(self, timeout: float = 30.0) -> None:
        """End every worker of this nursery and wait until their processes are gone."""
        try:
            self.client.clean(time.monotonic() + timeout)
        except (TimeoutError, NurseryError) as error:
            raise NurseryError(f"the sandbox did not clean up: {error}") from None

    # --- stopping -----------------------------------------------------------------------------

    def close(self) -> None:
        """End the sandbox (and so every process in it); release its uid and folders."""
        if self.client is not None:
            self.client.sock.close()  # the zygote sees the end of its channel and exits
            self.client = None
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.process.pid, 9)
                except (ProcessLookupError, PermissionError):
                    self.process.kill()
                self.process.wait()
        if self._lock is not None:
            self._lock.close()
            self._lock = None
        for folder in self._folders:
            _remove(folder)
        self._folders = []
        if self._log is not None:
            self._log.unlink(missing_ok=True)
            self._log = None

    def __enter__(self) -> Nursery:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def _remove(folder: Path, timeout: float = 10.0) -> None:
    """Remove ``folder``; a staging folder stays busy (a mount point in the sandbox's
    namespaces) until the last process of the sandbox has ended, so try for a while."""
    deadline = time.monotonic() + timeout
    while True:
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists() or time.monotonic() > deadline:
            return
        time.sleep(0.05)
