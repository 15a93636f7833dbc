r"""Where the student's processes run: a view built from a whitelist, under a user of their own.

The sandbox is bubblewrap (``bwrap``; Debian package ``bubblewrap``). Its filesystem view
holds exactly what the worker needs, read-only:

* the system folders (``/usr`` and the ``/bin``, ``/lib``... links or folders beside it)
  and a few files of ``/etc`` the dynamic linker and Python read;
* the Python installation (``sys.base_prefix``, when it is not under ``/usr``) and the
  folders of the grader's ``sys.path`` that hold installed packages (the virtualenv's
  ``site-packages``), with any installed ``coursepkg`` in them covered by an empty folder;
* a *skeleton* of the course package (:func:`stage_skeleton`): an empty
  ``coursepkg/__init__.py``, ``coursepkg/grading/{__init__,protocol}.py``,
  ``coursepkg/grading/sandboxed/*`` and the modules of
  :data:`~coursepkg.grading.sandboxed.MODEL_MODULES`. It is the only ``coursepkg`` the
  student's process can import.

Nothing else exists in it: not the checkout (its ``solutions/``, hidden suites, history),
not the folder of submissions, not the grader's private folders, not ``/home`` or ``/root``.
Secret folders that happen to lie inside a bound folder (a checkout under ``/usr/local``,
say) are covered too. ``/tmp``, ``/var/tmp``, ``/run`` and ``/dev/shm`` are private tmpfs
(a Python folder that lies in one of them, such as the ``.venv`` of a checkout under
``/tmp``, is bound under ``/opt/sandbox-python`` instead, and ``sys.path`` says so),
``--unshare-all`` gives the sandbox its own user, PID, IPC, network, UTS and cgroup
namespaces, ``--die-with-parent`` ends it with the grader, ``--new-session`` detaches it from
the terminal. Each worker then confines itself further, in namespaces of its own
(:mod:`coursepkg.grading.sandboxed.confine`).

As root (CI, Gradescope) bubblewrap must not run as root (with ``--uid`` it would still be
root outside), so the grader first drops to an unprivileged uid with
``setpriv --reuid --regid --clear-groups --no-new-privs``. Each sandbox takes its own uid
from a pool (:class:`UidPool`, locked, so two graders on one machine never share one):
processes, signals and ``RLIMIT_NPROC`` are never shared with another grading. Folders that
uid cannot reach (a Python under ``/root``) are first bind-mounted into a staging tmpfs
in a mount namespace of the launcher (``unshare --mount``), and bound from there.

*Why one uid per grading*: ``RLIMIT_NPROC`` counts the processes of a uid across the whole
machine. When every submission ran as ``nobody``, a submission that forked 511 sleepers
made the next ``setpriv --reuid=nobody`` fail: the kernel lets ``setresuid`` succeed but
marks the process, and its next ``execve`` fails with ``EAGAIN``, which ``setpriv`` reports
as exit code 126 ("failed to execute python: Resource temporarily unavailable"). Anything
else running as ``nobody`` on the host (other gradings, other jobs, their threads, processes
not yet reaped) could do the same in an ordinary class run. ``RLIMIT_NPROC`` is now set inside
each worker's own user namespace, where the kernel counts only that namespace's processes.

Without bubblewrap, or where user namespaces are not allowed, a normal user gets the
*reduced* mode: the workers run as that user with resource limits only, and a warning says
so (they can read what the user can read). As root the grader refuses the reduced mode unless
``COURSEPKG_SANDBOX=reduced`` asks for it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import site
import stat
import sys
import sysconfig
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import coursepkg

SKELETON_INSIDE = Path("/opt/coursepkg-sandbox")
SYSTEM_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/alternatives",
    "/etc/localtime",
    "/etc/nsswitch.conf",
    "/etc/passwd",
    "/etc/group",
)
ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
}
UID_POOL = (0x7E000000, 4096)  # unassigned on Debian and by systemd; $COURSEPKG_SANDBOX_UIDS
BOOT = (
    "import sys\n"
    "sys.path[:] = {path!r}\n"
    "from coursepkg.grading.sandboxed.zygote import main\n"
    "main(sys.argv[1:])\n"
)


class SandboxUnavailable(Exception):
    """The sandbox this machine needs cannot be built (the message says what to install)."""


class ReducedIsolation(UserWarning):
    """Student code runs with resource limits only: it can read what the grader's user can."""


def mode() -> str:
    """``bwrap`` or ``reduced``: ``$COURSEPKG_SANDBOX`` if set, else ``bwrap`` when found."""
    chosen = os.environ.get("COURSEPKG_SANDBOX", "").strip().lower()
    if chosen in ("bwrap", "reduced"):
        return chosen
    return "bwrap" if shutil.which("bwrap") else "reduced"


def warn_reduced(reason: str) -> None:
    warnings.warn(
        f"{reason}: the student's code runs with resource limits only, as your user, and can "
        "read every file you can read. Install bubblewrap (Debian: apt-get install bubblewrap) "
        "for the full sandbox.",
        ReducedIsolation,
        stacklevel=3,
    )


# --- the skeleton package ------------------------------------------------------------------


def stage_skeleton(folder: Path) -> Path:
    """Write the only ``coursepkg`` the student's process sees into ``folder``; returns it.

    Every file is copied from the installed package except the package ``__init__`` files
    above ``coursepkg.grading`` (written empty, so importing them imports nothing else).
    The files are world-readable: they are public code, and the sandbox's uid must read them.
    """
    from coursepkg.grading.sandboxed import MODEL_MODULES

    source = Path(coursepkg.__file__).resolve().parent
    files = {
        "grading/__init__.py",
        "grading/protocol.py",
        *(
            str(p.relative_to(source))
            for p in (source / "grading" / "sandboxed").glob("*.py")
            if p.is_file()
        ),
    }
    for module in MODEL_MODULES:
        parts = module.split(".")
        if parts[0] != "coursepkg" or len(parts) < 2:
            raise ValueError(f"MODEL_MODULES may only list coursepkg modules, not {module!r}")
        files.add("/".join(parts[1:]) + ".py")
    root = folder / "coursepkg"
    for relative in sorted(files):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, target)
    for package in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        init = package / "__init__.py"
        if not init.exists():
            init.write_text("")
    (root / "__init__.py").write_text("")
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return folder


# --- the view -------------------------------------------------------------------------------


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@dataclass
class View:
    """What the sandbox sees: read-only binds (source, destination), covers, Python's path."""

    binds: list[tuple[Path, Path]] = field(default_factory=list)
    covers: list[Path] = field(default_factory=list)
    python: Path = Path(sys.executable)
    sys_path: list[str] = field(default_factory=list)


def python_folders() -> list[Path]:
    """Folders of the grader's Python that the worker imports from: the standard library,
    its extension modules and zip, and the site-packages folders (in ``sys.path`` order)."""
    wanted: list[Path] = []
    paths = sysconfig.get_paths()
    candidates = [paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")]
    try:
        candidates += site.getsitepackages()
    except AttributeError:  # (some virtualenvs' site module)
        pass
    candidates = {str(Path(c).resolve()) for c in candidates}
    for entry in sys.path:
        if not entry or not os.path.isabs(entry) or not os.path.exists(entry):
            continue
        resolved = str(Path(entry).resolve())
        if (
            resolved in candidates
            or resolved.endswith((".zip", "lib-dynload"))
            or Path(resolved).name in ("site-packages", "dist-packages")
        ):
            if Path(resolved) not in wanted:
                wanted.append(Path(resolved))
    for c in sorted(candidates):  # e.g. a stdlib folder missing from sys.path
        if Path(c).is_dir() and Path(c) not in wanted:
            wanted.append(Path(c))
    return wanted


def _other_site_folders() -> list[Path]:
    """Site folders of the base installation and the system, which a virtualenv does not put
    on its path but which lie inside folders the sandbox binds."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    found = []
    for prefix in {Path(sys.base_prefix), Path("/usr"), Path("/usr/local")}:
        for sub in (f"lib/{version}/site-packages", f"lib/{version}/dist-packages"):
            found.append(prefix / sub)
        found.append(prefix / "lib/python3/dist-packages")
    return found


PRIVATE_FOLDERS = (Path("/tmp"), Path("/var/tmp"), Path("/run"), Path("/dev/shm"))
"""Fresh tmpfs in the sandbox and again in every worker (``confine.PRIVATE_DIRS``)."""
RELOCATED = Path("/opt/sandbox-python")
"""Where a Python folder that lies in a private folder is bound instead (a checkout, and
its ``.venv``, under ``/tmp``): a worker's own tmpfs on ``/tmp`` would hide it."""


class _Places:
    """Destinations inside the sandbox: a folder's own path, or, for one under a private
    folder, a place under :data:`RELOCATED` (and every path inside it moves with it)."""

    def __init__(self) -> None:
        self.moved: dict[Path, Path] = {}

    def bind(self, view: View, folder: Path) -> None:
        destination = folder
        if any(_inside(folder, private) for private in PRIVATE_FOLDERS):
            destination = RELOCATED / f"{len(self.moved)}-{folder.name}"
            self.moved[folder] = destination
        view.binds.append((folder, destination))

    def inside(self, path: Path) -> Path:
        for source, destination in self.moved.items():
            if _inside(path, source):
                return destination / path.relative_to(source)
        return path


def build_view(skeleton: Path, secrets: list[Path] = ()) -> View:
    """The view of the sandbox (see the module docstring)."""
    view = View(python=Path(os.path.realpath(sys.executable)))
    places = _Places()
    roots = [Path("/usr")]
    for name in SYSTEM_LINKS:
        path = Path("/") / name
        if path.is_dir() and not path.is_symlink():
            roots.append(path)
    base = Path(sys.base_prefix).resolve()
    if not any(_inside(base, r) for r in roots):
        places.bind(view, base)
        roots.append(base)
    folders = python_folders()
    for folder in folders:
        if not any(_inside(folder, r) for r in roots):
            places.bind(view, folder)
            roots.append(folder)
    if not any(_inside(view.python, r) for r in roots):
        places.bind(view, view.python.parent)
        roots.append(view.python.parent)
    view.python = places.inside(view.python)
    view.binds.append((skeleton, SKELETON_INSIDE))
    view.sys_path = [str(SKELETON_INSIDE)] + [str(places.inside(f)) for f in folders]
    # an installed coursepkg, and every secret that lies inside something bound, is covered
    hidden = [f / "coursepkg" for f in [*folders, *_other_site_folders()]]
    hidden += [Path(s).resolve() for s in secrets if Path(s).exists()]
    for path in hidden:
        cover = places.inside(path)
        if any(_inside(path, r) for r in roots) and path.is_dir() and cover not in view.covers:
            view.covers.append(cover)
    return view


def bwrap_arguments(view: View, tmp_bytes: int, staged: dict[Path, Path] | None = None) -> list:
    """bubblewrap's options for ``view`` (``staged`` maps a source to where it was staged)."""
    staged = staged or {}
    args = ["--unshare-all", "--die-with-parent", "--new-session", "--clearenv"]
    for key, value in ENVIRONMENT.items():
        args += ["--setenv", key, value]
    args += ["--ro-bind", "/usr", "/usr"]
    for name in SYSTEM_LINKS:
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for path in ETC_FILES:
        args += ["--ro-bind-try", path, path]
    for source, destination in view.binds:
        args += ["--ro-bind", str(staged.get(source, source)), str(destination)]
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]
    for folder in ("/tmp", "/var/tmp", "/run"):
        args += ["--size", str(tmp_bytes), "--perms", "1777", "--tmpfs", folder]
    for cover in view.covers:
        args += ["--perms", "0000", "--size", "4096", "--tmpfs", str(cover)]
        args += ["--remount-ro", str(cover)]
    args += ["--remount-ro", "/", "--chdir", "/tmp"]
    return args


PROBE = (
    "import os, sys\n"
    "sys.path[:] = {path!r}\n"
    "from coursepkg.grading.sandboxed import confine\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    try:\n"
    "        confine.enter_namespaces(confine.WorkerLimits(tmp_bytes=2**20))\n"
    "        os._exit(0)\n"
    "    except BaseException as error:\n"
    "        os.write(2, f'a worker cannot enter its namespaces: {{error}}'.encode())\n"
    "        os._exit(1)\n"
    "sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n"
)


def probe_code(view: View) -> str:
    """A ``-c`` program that fails unless a worker could confine itself in this sandbox."""
    return PROBE.format(path=view.sys_path)


def boot_code(view: View) -> str:
    """The ``-c`` program that starts the zygote with exactly ``view.sys_path``."""
    return BOOT.format(path=view.sys_path)


# --- root: an unprivileged uid of its own, and what it cannot reach ---------------------------


def reachable(path: Path) -> bool:
    """Whether a user with no relation to the owners can traverse to and list ``path``."""
    for folder in [*reversed(path.parents), path]:
        mode = os.stat(folder).st_mode
        if not mode & stat.S_IXOTH:
            return False
    return bool(os.stat(path).st_mode & stat.S_IROTH)


def staging_script(sources: list[Path], stage: Path) -> tuple[str, dict[Path, Path]]:
    """A shell script (run as root in a new mount namespace) that mounts a reachable tmpfs
    on ``stage``, binds each source into it, then executes its arguments."""
    import shlex

    lines = [
        "set -e",
        f"mount -t tmpfs -o mode=0755,size=65536 coursepkg-stage {shlex.quote(str(stage))}",
    ]
    where = {}
    for i, source in enumerate(sources):
        target = stage / str(i)
        lines.append(f"mkdir {shlex.quote(str(target))}")
        lines.append(f"mount --rbind {shlex.quote(str(source))} {shlex.quote(str(target))}")
        where[source] = target
    lines.append('exec "$@"')
    return "\n".join(lines), where


def drop_to(uid: int) -> list[str]:
    """``setpriv`` to ``uid`` (and the same gid), no groups, no way back."""
    return [
        "setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--no-new-privs",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--",
    ]


class UidPool:
    """Unprivileged uids for sandboxes, one per sandbox, locked across processes.

    The range is ``$COURSEPKG_SANDBOX_UIDS`` (``FIRST:COUNT``) or :data:`UID_POOL`. A uid is
    taken when its lock file (in a root-only folder) is locked and no process runs as it.
    """

    def __init__(self, first: int | None = None, count: int | None = None, folder=None):
        spec = os.environ.get("COURSEPKG_SANDBOX_UIDS", "")
        if first is None and spec:
            first_text, _, count_text = spec.partition(":")
            first, count = int(first_text), int(count_text or 64)
        self.first = UID_POOL[0] if first is None else first
        self.count = UID_POOL[1] if count is None else count
        self.folder = Path(folder) if folder else self._lock_folder()

    @staticmethod
    def _lock_folder() -> Path:
        for parent in ("/run", tempfile.gettempdir()):
            folder = Path(parent) / "coursepkg-sandbox-uids"
            try:
                folder.mkdir(mode=0o700, exist_ok=True)
                info = folder.lstat()
                if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid():
                    return folder
            except OSError:
                continue
        raise SandboxUnavailable("no folder for the sandbox uids' lock files")

    def acquire(self):
        """``(uid, lock)``: keep ``lock`` open while the uid is in use; close it to release."""
        busy = running_uids()
        for uid in range(self.first, self.first + self.count):
            if uid in busy:
                continue
            lock = open(self.folder / f"{uid}.lock", "a")  # noqa: SIM115 - held until release
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                lock.close()
                continue
            if uid in running_uids():  # (started between the scan and the lock)
                lock.close()
                continue
            return uid, lock
        raise SandboxUnavailable(
            f"every sandbox uid from {self.first} to {self.first + self.count - 1} is in use"
        )


def running_uids() -> set[int]:
    """Real uids of the processes on this machine."""
    uids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", "rb") as handle:
                for line in handle:
                    if line.startswith(b"Uid:"):
                        uids.add(int(line.split()[1]))
                        break
        except OSError:
            continue
    return uids
