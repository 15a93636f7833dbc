"""How the student's process is started: limits, and (as root) another user and a private view.

Not root (a student's or instructor's own account): the worker runs as the same user
with resource limits. It cannot be kept from reading files that user can read, which
is acceptable there: nothing secret is at stake on one's own machine.

Root (CI, Gradescope): the worker runs in its own mount namespace (``unshare``)
where the hidden tests, the solutions, the repository's history and the grader's
private folder are covered by empty read-only mounts, and then as the unprivileged
user ``nobody`` (``setpriv``) with no capabilities and ``no_new_privs``. Directories
that ``nobody`` could not traverse to reach the Python interpreter (e.g. a Python
installed under ``/root``) are covered too, and only the interpreter's own folder is
mounted back.
"""

from __future__ import annotations

import os
import resource
import shlex
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

import coursepkg

NOBODY_UID = 65534
NOBODY_GID = 65534


@dataclass
class Limits:
    """Resource limits of the student's process."""

    memory_bytes: int = 4 * 2**30
    file_bytes: int = 64 * 2**20
    processes: int = 512
    cpu_seconds: int = 600

    def apply(self) -> None:
        """Called in the child between fork and exec."""
        os.setsid()
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

    def command(self, worker_args: list[str], workdir: Path, stage: Path) -> list[str]:
        python = [sys.executable, "-I", "-u", "-X", "utf8", "-m", "coursepkg.grading.worker", *worker_args]
        if not self.drop_privileges:
            return python
        os.chown(workdir, NOBODY_UID, NOBODY_GID)
        script = self._namespace_script(python, workdir, stage)
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]

    def _namespace_script(self, python: list[str], workdir: Path, stage: Path) -> str:
        lines = ["set -e"]
        covers, rebinds = _unreachable_parents(_needed_paths())
        for i, path in enumerate(rebinds):
            lines.append(f"mkdir -p {q(stage / str(i))}")
            lines.append(f"mount --bind {q(path)} {q(stage / str(i))}")
        for cover in covers:
            lines.append(f"mount -t tmpfs -o mode=0755,size=1m coursepkg-cover {q(cover)}")
        for i, path in enumerate(rebinds):
            lines.append(f"mkdir -p {q(path)}")
            lines.append(f"mount --move {q(stage / str(i))} {q(path)}")
        for path in self.hidden:
            if Path(path).exists():
                lines.append(f"mount -t tmpfs -o mode=0000,size=4k,ro coursepkg-hidden {q(path)}")
        lines.append(f"cd {q(workdir)}")
        drop = [
            "setpriv", f"--reuid={NOBODY_UID}", f"--regid={NOBODY_GID}", "--clear-groups",
            "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--",
        ]  # fmt: skip
        lines.append("exec " + " ".join(q(a) for a in drop + python))
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
