"""Seeds: every random experiment of the course takes one, and claims are measured over blocks.

A claim about a trained model is a statistic over several seeds (see :mod:`coursepkg.claims`).
The seeds come in *blocks*: the book uses the block that starts at :data:`BOOK_SEED_BASE`,
``coursepkg claims --seed-base 1000`` re-measures every claim on seeds 1000, 1001, ..., and
setting ``COURSEPKG_SEED_BASE`` builds the whole book on another block. A claim has to hold
for any block, not only for the book's.

Inside one experiment, every random source (the data, the initial weights, the batch order,
k-means) draws from its own stream, derived from the experiment's seed by :func:`derive`,
so that changing the seed changes all of them and changing one never shifts another.

:func:`map_seeds` runs one function for many seeds on both CPU cores (one process per core,
one torch thread per process), which is how the chapters train several seeds within their
time budget when the model is a fused torch module that cannot be vectorised.
"""

from __future__ import annotations

import atexit
import hashlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

BOOK_SEED_BASE = 0
"""The first seed of the book's block."""

ENV_SEED_BASE = "COURSEPKG_SEED_BASE"
"""Environment variable that moves the book's block (``COURSEPKG_SEED_BASE=1000 make book``)."""


def seed_base() -> int:
    """The first seed of the current block: ``$COURSEPKG_SEED_BASE``, else the book's."""
    raw = os.environ.get(ENV_SEED_BASE, "").strip()
    if not raw:
        return BOOK_SEED_BASE
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{ENV_SEED_BASE} must be an integer, got {raw!r}") from None


def block(n: int, base: int | None = None) -> list[int]:
    """``n`` consecutive seeds starting at ``base`` (default: :func:`seed_base`).

    >>> block(3, base=1000)
    [1000, 1001, 1002]
    """
    if n < 1:
        raise ValueError(f"a block needs at least one seed, got n={n}")
    start = seed_base() if base is None else int(base)
    return list(range(start, start + n))


def derive(seed: int, *tags: object) -> int:
    """A seed for one random source of an experiment, derived from ``seed`` and ``tags``.

    ``derive(seed, "data")`` and ``derive(seed, "init")`` are unrelated streams; both change
    when ``seed`` does. The value is a stable hash (the same on every machine and Python),
    in ``[0, 2**31)`` so that NumPy, torch and scipy all accept it.

    >>> derive(0, "data") == derive(0, "data") != derive(0, "init")
    True
    """
    text = ":".join(str(part) for part in (int(seed), *tags))
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 2**31


_POOLS: dict[int, ProcessPoolExecutor] = {}


def _init_worker() -> None:
    import signal

    import torch

    # A kernel interrupted or shut down signals its whole process group; the workers leave
    # that to the parent (which cancels their futures) instead of printing tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    torch.set_num_threads(1)


def _pool(processes: int) -> ProcessPoolExecutor:
    """A pool of ``processes`` worker processes, started once per Python process and reused."""
    if processes not in _POOLS:
        import multiprocessing

        # "spawn": a fresh interpreter per worker, safe whatever threads the parent runs.
        context = multiprocessing.get_context("spawn")
        _POOLS[processes] = ProcessPoolExecutor(
            max_workers=processes, mp_context=context, initializer=_init_worker
        )
    return _POOLS[processes]


@atexit.register
def _shutdown_pools() -> None:
    for pool in _POOLS.values():
        pool.shutdown(cancel_futures=True)
    _POOLS.clear()


def map_seeds(
    fn: Callable[..., Any], seeds: Iterable[int], processes: int = 2, **kwargs
) -> list[Any]:
    """``[fn(seed, **kwargs) for seed in seeds]``, computed in ``processes`` processes.

    ``fn`` must be importable (a function defined in a module, not in a notebook cell) and
    must seed everything it draws from ``seed``, so that its result does not depend on which
    process ran it. Results come back in the order of ``seeds``. ``processes=1`` runs
    everything here, in order (useful for debugging and for one seed).
    """
    seeds = [int(s) for s in seeds]
    if processes < 1:
        raise ValueError(f"processes must be >= 1, got {processes}")
    if processes == 1 or len(seeds) == 1:
        return [fn(seed, **kwargs) for seed in seeds]
    pool = _pool(min(processes, os.cpu_count() or 1, len(seeds)) or 1)
    futures = [pool.submit(fn, seed, **kwargs) for seed in seeds]
    return [future.result() for future in futures]
