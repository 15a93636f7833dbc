"""How the student's process is started: limits, and (as root) another user and a private view.

Not root (a student's or instructor's own account): the worker runs as the same user
with resource limits. It cannot be kept from reading files that user can read, which
is acceptable there: nothing secret is at stake on one's own machine.

Root (CI, Gradescope): the worker runs in its own mount and PID namespaces
(``unshare``) where the hidden tests, the solutions, the repository's history and the
grader's private folder are covered by empty read-only mounts, and then as the
unprivileged user ``nobody`` (``setpriv``) with no capabilities and ``no_new_privs``.
Directories that ``nobody`` could not traverse to reach the Python interpreter (e.g. a
Python installed under ``/root``) are covered too, and only the interpreter's own folder
is mounted back. The world-writable folders (``/tmp``, ``/var/tmp``, ``/dev/shm``) are
private, size-limited tmpfs mounts: what a submission writes there is seen by no other
process and vanishes with it, so one student cannot plant files for the grader or for
the next student. The namespace's first process is a root shell that waits for the
worker; it dies with the grader (``--kill-child``), and the kernel then ends every
process the submission started, however it detached itself.

The notebook's cells reach the worker on its standard input (opened by the grader), so
the worker needs no readable file outside its namespace.
"""

from __future__ import annotations

import ctypes
import os
import resource
import shlex
import signal
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

import coursepkg

NOBODY_UID = 65534
NOBODY_GID = 65534
PRIVATE_TMP = ("/tmp", "/var/tmp", "/dev/shm")
INSIDE_WORKDIR = "/tmp/work"
PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True)  # loaded here, not in the forked child


@dataclass
class Limits:
    """Resource limits of the student's process."""

    memory_bytes: int = 4 * 2**30
    file_bytes: int = 64 * 2**20
    tmp_bytes: int = 256 * 2**20
    processes: int = 512
    cpu_seconds: int = 600

    def apply(self) -> None:
        """Called in the child between fork and exec."""
        os.setsid()
        # ended with the grading process that started it (a grader stopped at its time
        # limit must not leave a submission running)
        _LIBC.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
        resource.setrlimit(resource.RLIMIT_AS, (self.memory_bytes, self.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_bytes, self.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_seconds, self.cpu_seconds))
        if os.geteuid() == 0:  # per-user count: meaningful for nobody, harmful for root
            resource.setrlimit(resource.RLIMIT_NPROC, (self.processes, self.processes))


@dataclass
class Sandbox:
    """Builds the command line that starts the worker.

    ``hidden`` are paths the student's process must not see (only used as root).
    """

    hidden: list[Path] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    drop_privileges: bool = field(default_factory=lambda: os.geteuid() == 0)

    def workdir_inside(self, workdir: Path) -> Path:
        """The worker's current folder (and HOME) as the worker sees it."""
        return Path(INSIDE_WORKDIR) if self.drop_privileges else workdir

    def command(self, worker_args: list[str], workdir: Path, stage: Path) -> list[str]:
        python = [
            sys.executable,
            "-I",
            "-u",
            "-X",
            "utf8",
            "-m",
            "coursepkg.grading.sandboxed.worker",
            *worker_args,
        ]
        if not self.drop_privileges:
            return python
        script = self._namespace_script(python, workdir, stage)
        return [
            "unshare",
            "--mount",
            "--pid",
            "--fork",
            "--kill-child",
            "--mount-proc",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
        ]

    def _namespace_script(self, python: list[str], workdir: Path, stage: Path) -> str:
        lines = ["set -e"]
        needed = _needed_paths()
        covers, rebinds = _unreachable_parents(needed)
        # a checkout or venv under /tmp (CI clones anywhere) must survive the private /tmp
        rebinds = _outermost(rebinds + [p for p in needed if _under_private_tmp(p)])
        for i, path in enumerate(rebinds):
            lines.append(f"mkdir -p {q(stage / str(i))}")
            lines.append(f"mount --bind {q(path)} {q(stage / str(i))}")
        # the staged mounts stay reachable through the current folder once /tmp is covered
        lines.append(f"cd {q(stage)}")
        for cover in covers:
            lines.append(f"mount -t tmpfs -o mode=0755,size=1m coursepkg-cover {q(cover)}")
        for folder in PRIVATE_TMP:
            if Path(folder).is_dir():
                options = f"mode=1777,size={self.limits.tmp_bytes},nosuid,nodev"
                lines.append(f"mount -t tmpfs -o {options} coursepkg-tmp {q(folder)}")
        for i, path in enumerate(rebinds):
            lines.append(f"mkdir -p {q(path)}")
            lines.append(f"mount --move {i} {q(path)}")
        for path in self.hidden:
            cover = f"mount -t tmpfs -o mode=0000,size=4k,ro coursepkg-hidden {q(path)}"
            lines.append(f"if [ -e {q(path)} ]; then {cover}; fi")
        lines.append(f"mkdir -p {q(INSIDE_WORKDIR)}")
        lines.append(f"chown {NOBODY_UID}:{NOBODY_GID} {q(INSIDE_WORKDIR)}")
        lines.append(f"cd {q(INSIDE_WORKDIR)}")
        drop = [
            "setpriv",
            f"--reuid={NOBODY_UID}",
            f"--regid={NOBODY_GID}",
            "--clear-groups",
            "--no-new-privs",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--",
        ]
        # not ``exec``: this root shell stays the namespace's first process (its parent's
        # death signal survives; the worker's would not, since it changes user)
        lines.append(" ".join(q(a) for a in drop + python))
        return "\n".join(lines)


def q(value) -> str:
    return shlex.quote(str(value))


def _needed_paths() -> list[Path]:
    """Folders the worker must be able to read to start Python and import coursepkg."""
    paths = {
        Path(sys.base_prefix),
        Path(sys.prefix),
        Path(os.path.realpath(sys.executable)).parent,
        Path(coursepkg.__file__).resolve().parent.parent,
    }
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        paths.add(Path(sysconfig.get_paths()[key]))
    return sorted(p.resolve() for p in paths if p.exists())


def _under_private_tmp(path: Path) -> bool:
    return any(path == Path(t) or Path(t) in path.parents for t in PRIVATE_TMP)


def _outermost(paths: list[Path]) -> list[Path]:
    """The paths that are not inside another one of them (each mounted once)."""
    unique = sorted(set(paths))
    return [p for p in unique if not any(other in p.parents for other in unique)]


def _unreachable_parents(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Ancestors that others cannot traverse (to cover), and the paths to mount back."""
    covers: list[Path] = []
    rebinds: list[Path] = []
    for path in paths:
        for ancestor in reversed(path.parents):
            if ancestor == Path("/"):
                continue
            if not os.stat(ancestor).st_mode & 0o001:
                if ancestor not in covers:
                    covers.append(ancestor)
                if not any(path == r or r in path.parents for r in rebinds):
                    rebinds = [r for r in rebinds if path not in r.parents]
                    rebinds.append(path)
                break
    return covers, rebinds
