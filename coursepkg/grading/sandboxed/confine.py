"""What a freshly forked worker does to itself before any student code runs.

The zygote lives in a sandbox (bubblewrap: a read-only view of only what Python needs,
no network) that is shared by the workers it forks. Each worker therefore shuts itself
into namespaces of its own, so that nothing one submission leaves reaches the next one:

* ``unshare`` of a user namespace (the same uid, with no way back to more), a mount
  namespace with fresh, size-limited tmpfs on ``/tmp``, ``/var/tmp``, ``/run`` and
  ``/dev/shm`` (the only writable places there are), its own IPC namespace (System V
  shared memory and message queues), network namespace (no interface but a down loopback)
  and UTS namespace;
* a PID namespace whose first process (:func:`run_as_init`) reaps orphans and ends with
  the worker, so that when it ends the kernel ends every process the submission started,
  however it detached itself;
* no capabilities, ``no_new_privs``, no further user namespaces, a new session keyring;
* resource limits (:class:`WorkerLimits`). ``RLIMIT_NPROC`` is set inside the new user
  namespace, where the kernel counts only that namespace's processes: each submission has
  its own budget of processes, whatever else runs under the same uid.

In the reduced mode (no bubblewrap, or user namespaces not allowed), a worker only starts
a new session and applies the resource limits (``RLIMIT_NPROC`` then counts every process of
the uid, so it is set above what the uid already runs).

This module imports only the standard library: it runs in the student's process.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import signal
from dataclasses import dataclass

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
CAPABILITY_VERSION_3 = 0x20080522
KEYCTL_JOIN_SESSION_KEYRING = 1
SYSCALL_KEYCTL = {"x86_64": 250, "aarch64": 219}.get(platform.machine())
PRIVATE_DIRS = ("/tmp", "/var/tmp", "/run", "/dev/shm")

_LIBC = ctypes.CDLL(None, use_errno=True)


@dataclass
class WorkerLimits:
    """Resource limits of one worker (sent by the grader with each spawn request)."""

    memory_bytes: int = 4 * 2**30
    file_bytes: int = 64 * 2**20
    tmp_bytes: int = 256 * 2**20
    processes: int = 256
    open_files: int = 256
    cpu_seconds: int = 600

    @classmethod
    def from_dict(cls, data: dict) -> WorkerLimits:
        fields = cls.__dataclass_fields__
        return cls(**{k: int(v) for k, v in data.items() if k in fields})


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None):
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    result = _LIBC.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data))
    _check(result, f"mount {target}")


def die_with_parent() -> None:
    """Be killed when the process that forked this one ends."""
    _check(_LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")


def enter_namespaces(limits: WorkerLimits) -> None:
    """Leave the zygote's namespaces (see the module docstring); the next fork is PID 1."""
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS
    _check(_LIBC.unshare(flags | CLONE_NEWPID), "unshare")
    with open("/proc/self/setgroups", "w") as handle:
        handle.write("deny")
    with open("/proc/self/uid_map", "w") as handle:
        handle.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as handle:
        handle.write(f"{gid} {gid} 1")
    _mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    for folder in PRIVATE_DIRS:
        if os.path.isdir(folder):
            options = f"size={limits.tmp_bytes},mode=1777,nr_inodes=16384"
            _mount("coursepkg-tmp", folder, "tmpfs", MS_NOSUID | MS_NODEV, options)


def mount_proc() -> None:
    """A /proc that shows only this PID namespace (called as its PID 1)."""
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    try:  # no nested user namespaces for the student's code (bubblewrap's --disable-userns)
        with open("/proc/sys/user/max_user_namespaces", "w") as handle:
            handle.write("0")
    except OSError:
        pass


def drop_privileges() -> None:
    """No capabilities (not even in the worker's own namespace), no way to gain any."""
    _check(_LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
    _LIBC.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    for cap in range(64):
        if _LIBC.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            break  # past the last capability this kernel knows
    header = (ctypes.c_uint32 * 2)(CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable x 2: all empty
    _check(_LIBC.capset(header, data), "capset")
    if SYSCALL_KEYCTL is not None:  # not the grader's session keyring
        _LIBC.syscall(SYSCALL_KEYCTL, KEYCTL_JOIN_SESSION_KEYRING, None)


def apply_limits(limits: WorkerLimits, own_user_namespace: bool) -> None:
    """Resource limits of the worker.

    Memory: ``limits.memory_bytes`` of private writable memory (``RLIMIT_DATA``: the heap
    and every private mapping, so any tensor), and as much again of new address space
    beyond what is mapped when the worker starts (``RLIMIT_AS``: that also bounds shared
    mappings, such as ``mmap.mmap(-1, n)``, which ``RLIMIT_DATA`` does not count). The
    address-space limit is relative because torch is already imported: the CUDA build maps
    several GiB of libraries, and a fixed limit would leave such a worker no room at all.

    In its own user namespace, ``RLIMIT_NPROC`` counts that namespace's processes only: the
    submission's own budget. Elsewhere (reduced mode) it counts every process of the uid, so
    the budget is added to what the uid runs now: a fork bomb is still stopped, but gradings
    running side by side share it.
    """
    processes = limits.processes
    if not own_user_namespace:
        processes += _processes_of(os.getuid())
    pairs = [
        (resource.RLIMIT_DATA, limits.memory_bytes),
        (resource.RLIMIT_AS, _address_space() + limits.memory_bytes),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_NPROC, processes),
    ]
    for kind, value in pairs:
        soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value))


def _address_space() -> int:
    """Bytes of address space this process has mapped now (``VmSize``)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


def _processes_of(uid: int) -> int:
    """Threads and processes of ``uid`` (what ``RLIMIT_NPROC`` counts)."""
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", "rb") as handle:
                fields = dict(line.split(b":", 1) for line in handle if b":" in line)
            if int(fields[b"Uid"].split()[0]) == uid:
                count += int(fields[b"Threads"])
        except (OSError, KeyError, ValueError):
            continue
    return count


def run_as_init(child: int) -> None:
    """PID 1 of the worker's namespace: reap every process until ``child`` ends, then end
    with its status (and so end every process left in the namespace)."""
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(0)
        except InterruptedError:
            continue
        if pid == child:
            os._exit(exit_code(status))


def exit_code(status: int) -> int:
    """A wait status as a shell reports it: the exit code, or 128 + the signal."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1
