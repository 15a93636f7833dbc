"""The warm process that forks the student's processes: torch is imported once, not per notebook.

Started by :class:`coursepkg.grading.trusted.nursery.Nursery` inside the sandbox as

    python -s -S -u -c BOOT CONTROL_FD MODE [MODULE...]

where ``CONTROL_FD`` is one end of a ``SOCK_SEQPACKET`` socket pair, ``MODE`` is
``namespaces`` or ``reduced`` and the modules are imported at once, besides torch. No
student code ever runs here. The zygote imports torch, numpy and the worker, says
``{"event": "ready"}``, and then serves requests, one JSON object per packet:

``{"op": "spawn", "id": N, "limits": {...}}`` with three file descriptors attached
    (the worker's request pipe, reply pipe and output pipe): fork a worker that confines
    itself (:mod:`coursepkg.grading.sandboxed.confine`) and serves on those pipes.
``{"op": "kill", "id": N}``
    end that worker and every process it started.
``{"op": "clean"}``
    end every worker, wait until they are gone, answer ``{"event": "clean"}``.

and reports ``{"event": "exited", "id": N, "code": C}`` when a worker's namespace has ended
(``C`` as a shell reports it: the exit code, or 128 + the signal number).

Process tree of one worker in ``namespaces`` mode::

    zygote -> keeper (new namespaces) -> init (PID 1, reaps) -> worker (PID 2, the cells)

The keeper stays outside the worker's PID namespace: when asked to, it kills the init
process and waits for it, and the kernel ends the namespace's other processes before the
init's end is reported; so ``exited`` means nothing of that submission runs any more.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys

from coursepkg.grading.sandboxed import confine

MAX_PACKET = 65536


def _send(sock: socket.socket, message: dict) -> None:
    try:
        sock.send(json.dumps(message).encode("utf-8"))
    except OSError:
        os._exit(0)  # the grader is gone


def _close_other_fds(keep: set[int]) -> None:
    for fd in sorted(int(n) for n in os.listdir("/proc/self/fd")):
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _worker(request_fd: int, reply_fd: int, output_fd: int, limits, namespaces: bool):
    """The process that runs the student's cells (never returns)."""
    code = 70
    try:
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        _close_other_fds({request_fd, reply_fd})
        os.chdir("/tmp")
        os.environ["HOME"] = "/tmp"
        os.environ["TMPDIR"] = "/tmp"
        if namespaces:
            confine.drop_privileges()
        confine.apply_limits(limits, own_user_namespace=namespaces)
        from coursepkg.grading.sandboxed import worker

        worker.serve(request_fd, reply_fd)
        code = 0
    except BaseException:  # noqa: BLE001 - what the student's code raised was already reported
        code = 70
    finally:
        try:
            sys.stdout.flush()
        except BaseException:  # noqa: BLE001
            pass
        os._exit(code)


def _keeper(fds: list[int], limits, namespaces: bool) -> None:
    """The zygote's child for one worker (never returns)."""
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        confine.die_with_parent()
        _close_other_fds(set(fds))
        if not namespaces:
            os.setsid()
            _worker(*fds, limits, namespaces)
        confine.enter_namespaces(limits)
        init = os.fork()
        if init == 0:
            confine.die_with_parent()
            os.setsid()
            confine.mount_proc()
            worker = os.fork()
            if worker == 0:
                _worker(*fds, limits, namespaces)
            for fd in fds:
                os.close(fd)
            confine.run_as_init(worker)
        for fd in fds:
            os.close(fd)
        signal.signal(signal.SIGTERM, lambda *_: os.kill(init, signal.SIGKILL))
        while True:
            try:
                _, status = os.waitpid(init, 0)
                break
            except InterruptedError:
                continue
        os._exit(confine.exit_code(status))
    except BaseException as error:  # noqa: BLE001 - report, never return into the zygote's loop
        try:
            os.write(2, f"coursepkg zygote: the worker could not start: {error}\n".encode())
        finally:
            os._exit(71)


class Zygote:
    def __init__(self, sock: socket.socket, namespaces: bool):
        self.sock, self.namespaces = sock, namespaces
        self.children: dict[int, int] = {}  # pid -> worker id
        self.wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(wake_w)

    def spawn(self, request: dict, fds: list[int]) -> None:
        limits = confine.WorkerLimits.from_dict(request.get("limits") or {})
        pid = os.fork()
        if pid == 0:
            _keeper(fds, limits, self.namespaces)
        self.children[pid] = int(request["id"])

    def kill(self, worker_id: int) -> None:
        for pid, wid in self.children.items():
            if wid == worker_id:
                self._signal(pid)

    def _signal(self, pid: int) -> None:
        try:
            if self.namespaces:
                os.kill(pid, signal.SIGTERM)  # the keeper kills its init, then ends
            else:
                os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def reap(self, block: bool = False) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, 0 if block else os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            except InterruptedError:
                continue
            if pid == 0:
                return
            worker_id = self.children.pop(pid, None)
            if worker_id is not None:
                code = confine.exit_code(status)
                _send(self.sock, {"event": "exited", "id": worker_id, "code": code})

    def clean(self) -> None:
        for pid in list(self.children):
            self._signal(pid)
        self.reap(block=True)
        _send(self.sock, {"event": "clean"})

    def serve(self) -> None:
        while True:
            ready, _, _ = select.select([self.sock, self.wake_r], [], [])
            if self.wake_r in ready:
                os.read(self.wake_r, 4096)
                self.reap()
            if self.sock not in ready:
                continue
            message, fds, _, _ = socket.recv_fds(self.sock, MAX_PACKET, 3)
            if not message:
                os._exit(0)  # the grader closed its end (nothing to clean up: skip finalizing)
            try:
                request = json.loads(message.decode("utf-8"))
                op = request.get("op")
                if op == "spawn" and len(fds) == 3:
                    self.spawn(request, fds)
                    _send(self.sock, {"event": "spawned", "id": int(request["id"])})
                elif op == "kill":
                    self.kill(int(request["id"]))
                elif op == "clean":
                    self.clean()
                elif op == "ping":
                    _send(self.sock, {"event": "pong"})
            except (ValueError, KeyError, TypeError, AttributeError, OSError) as error:
                _send(self.sock, {"event": "error", "message": str(error)[:500]})
            finally:
                for fd in fds:
                    os.close(fd)


def main(argv: list[str]) -> None:
    """``argv``: the control socket's descriptor, the workers' mode, then modules to import
    now besides torch (a class run imports matplotlib once here: a student's plotting cell
    then costs no font cache in each worker)."""
    sock = socket.socket(fileno=int(argv[0]))
    namespaces = argv[1] == "namespaces"
    try:
        import importlib

        import numpy  # noqa: F401
        import torch

        from coursepkg.grading.sandboxed import helpers, worker  # noqa: F401

        torch.set_num_threads(1)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:
            pass
        for module in argv[2:]:
            try:
                importlib.import_module(module)
            except ImportError:
                pass
    except BaseException as error:  # noqa: BLE001
        _send(sock, {"event": "failed", "message": f"{type(error).__name__}: {error}"[:500]})
        return
    _send(sock, {"event": "ready", "pid": os.getpid(), "mode": argv[1]})
    Zygote(sock, namespaces).serve()
