"""Chapter 5, "Reaching far": the experiments behind its claims.

* :func:`genome_scale_run` (one seed) pre-trains a window reader on short windows, builds
  the hierarchical model on it (1 kb windows), trains a flat model of the same reader
  for the updates the budget affords, and measures both on the distal-enhancer task at
  50,000 bp, with the enhancer 20 to 45 kb upstream of the prediction point.
* :func:`distance_run` (one seed) trains four models from scratch at chapter 3's
  distances: a flat vanilla RNN, an LSTM, a hierarchical vanilla RNN and a dilated vanilla
  RNN (fused ``torch.nn.RNN``/``nn.LSTM`` throughout).
* :func:`study` runs both for a block of seeds on both cores, with a progress bar.
* :func:`path_exponents` measures path lengths on the models themselves;
  :func:`timing_rows` measures forward-pass wall times at 1 kb to 50 kb.

Every random source is drawn from :func:`coursepkg.seeds.derive`, so a seed decides
everything. :data:`BOOK` holds the settings the notebook and :func:`claims.measure` use.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import as_completed
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from coursepkg.data.enhancer import background_tokens, long_enhancer_tokens, tokens_onehot
from coursepkg.models.dilated import DilatedClassifier
from coursepkg.models.hierarchical import FlatClassifier, HierarchicalClassifier, LowLevel
from coursepkg.models.last_state import LastStateClassifier
from coursepkg.seeds import derive, submit_seeds
from coursepkg.train import fit, seed_everything, torch_threads
from coursepkg.viz.tables import spread

SITE = 6
"""Bases in the enhancer (or decoy) site."""

WINDOW_CLASSES = ("no site yet", "enhancer seen", "decoy seen")
"""What the window reader is pre-trained to tell, at every position of a window."""


@dataclass(frozen=True)
class Settings:
    """Everything that decides the chapter's numbers apart from the seeds."""

    n_seeds: int = 5
    # --- the 50 kb task -------------------------------------------------------------
    length: int = 50_000
    """Bases per sequence."""
    far: tuple[int, int] = (20_000, 45_000)
    """Range of distances (bases from the site's last base to the prediction point)."""
    window: int = 1000
    """Bases per window of the hierarchical model."""
    hidden: int = 8
    """Units of the window reader and of the high RNN."""
    motif_width: int = 6
    """Width of the window reader's motif layer."""
    high_update_bias: float = 3.0
    """Initial update-gate bias of the high GRU (it starts out keeping its state)."""
    pretrain: tuple[tuple[int, int, float], ...] = ((50, 300, 0.0), (300, 60, 0.5))
    """Curriculum of the window reader: ``(window length, updates, share of windows with no
    site)`` stages. The site is anywhere in a window, so the longest stretch to remember
    grows with the stage; the first stage learns the two sites, the second also learns to
    report nothing on a window without one."""
    pretrain_windows: int = 1024
    pretrain_batch: int = 64
    lr: float = 0.02
    """Adam's learning rate at 50 kb (window reader, high level, flat model)."""
    n_train: int = 128
    n_val: int = 64
    n_test: int = 128
    top_epochs: int = 40
    top_batch: int = 32
    encode_batch: int = 16
    """Sequences encoded at once (16 x 50 windows of 1 kb)."""
    flat_updates: int = 1
    """Updates of the flat model at 50 kb: what its share of the budget affords (each
    reads ``flat_batch`` sequences of 50,000 steps forward and back)."""
    flat_batch: int = 8
    # --- chapter 3's distances, every model from scratch -----------------------------
    distances: tuple[int, ...] = (5, 15, 30, 60)
    short_hidden: int = 16
    short_window: int = 8
    short_dilations: tuple[int, ...] = (1, 2, 4, 8, 16)
    n_train_short: int = 500
    n_val_short: int = 200
    n_test_short: int = 500
    short_epochs: int = 25
    short_batch: int = 32
    short_lr: float = 0.01
    solved: float = 0.99
    """Validation accuracy at which a run stops early."""
    clip: float = 1.0
    forget_bias: float = 6.0
    """The LSTM's initial forget-gate bias (as in chapter 3)."""
    input_bias: float = -3.0
    # --- wall times ----------------------------------------------------------------
    timing_lengths: tuple[int, ...] = (1000, 5000, 10_000, 50_000)
    timing_batch: int = 4
    timing_dilations: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
    # --- path lengths, measured -------------------------------------------------------
    path_length: int = 64
    """Sequence length at which path lengths are measured (:func:`path_exponents`)."""
    path_window: int = 8
    path_dilations: tuple[int, ...] = (1, 2, 4, 8, 16)


BOOK = Settings()
"""The settings of the book (the notebook and ``claims.measure`` both use these)."""

TINY = Settings(
    n_seeds=2,
    length=4000,
    far=(1500, 3000),
    window=500,
    pretrain=((40, 10, 0.0), (60, 5, 0.5)),
    pretrain_windows=64,
    n_train=16,
    n_val=8,
    n_test=16,
    top_epochs=2,
    flat_updates=1,
    flat_batch=4,
    distances=(5, 15),
    n_train_short=32,
    n_val_short=16,
    n_test_short=32,
    short_epochs=2,
    timing_lengths=(500, 1000),
    timing_dilations=(1, 2, 4),
)
"""Settings small enough for the tests (seconds, not minutes)."""


# --- the 50 kb task --------------------------------------------------------------------


def window_data(
    seed: int, length: int, n: int, empty: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` windows of ``length`` bases and a class at every position.

    A share ``1 - empty`` of the windows hold one site anywhere: their class is 0 until
    the site has been read in full, then 1 (enhancer) or 2 (decoy). The others hold no
    site (class 0 throughout), as most windows of a long sequence do.

    Returns one-hot ``(n, length, 4)`` and classes ``(n, length)``.
    """
    with_site = n - round(empty * n)
    gen = torch.Generator().manual_seed(derive(seed, "window distances", length))
    distance = torch.randint(0, length - SITE + 1, (with_site,), generator=gen)
    tokens, y = long_enhancer_tokens(
        with_site, length, distance, seed=derive(seed, "windows", length)
    )
    seen = torch.arange(length)[None, :] >= (length - 1 - distance)[:, None]
    classes = torch.where(seen, (2 - y).long()[:, None], 0)  # (with_site, length)
    if with_site < n:
        blank = background_tokens(n - with_site, length, seed=derive(seed, "empty", length))
        tokens = torch.cat([tokens, blank])
        classes = torch.cat([classes, torch.zeros(n - with_site, length, dtype=torch.long)])
    return tokens_onehot(tokens), classes


def pretrain_windows(model: HierarchicalClassifier, seed: int, settings: Settings) -> float:
    """Train the low level and window head on windows alone (a curriculum of lengths).

    Every position of a window has a target (:data:`WINDOW_CLASSES`), so the reader learns
    to spot either site and to hold what it saw until the window's end. Returns the
    accuracy at the last position on fresh windows of the full window length.
    """
    optimiser = torch.optim.Adam(
        [*model.low.parameters(), *model.window_head.parameters()], lr=settings.lr
    )
    gen = torch.Generator().manual_seed(derive(seed, "batches", "windows"))
    for length, updates, empty in settings.pretrain:
        x, classes = window_data(seed, length, settings.pretrain_windows, empty)
        for _ in range(updates):
            idx = torch.randint(0, len(x), (settings.pretrain_batch,), generator=gen)
            optimiser.zero_grad()
            logits = model.window_logits(x[idx])  # (b, length, 3)
            loss = F.cross_entropy(logits.reshape(-1, 3), classes[idx].reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), settings.clip)
            optimiser.step()
    x, classes = window_data(derive(seed, "held-out windows"), settings.window, 256, 0.5)
    with torch.no_grad():
        predicted = model.window_logits(x)[:, -1].argmax(-1)
    return float((predicted == classes[:, -1]).float().mean())


def genome_data(seed: int, settings: Settings) -> dict:
    """Seed ``seed``'s training, validation and test sequences of ``settings.length`` bases
    as tokens (``long_enhancer_tokens``), each with its own distance in ``settings.far``."""
    parts = {}
    for part, n in (
        ("train", settings.n_train),
        ("val", settings.n_val),
        ("test", settings.n_test),
    ):
        gen = torch.Generator().manual_seed(derive(seed, "distances", part))
        distance = torch.randint(settings.far[0], settings.far[1] + 1, (n,), generator=gen)
        tokens, y = long_enhancer_tokens(n, settings.length, distance, seed=derive(seed, part))
        parts[part] = (tokens, y, distance)
    return parts


@torch.no_grad()
def in_batches(fn, tokens: torch.Tensor, batch: int) -> torch.Tensor:
    """``fn`` applied to one-hot batches of ``tokens``, results concatenated."""
    return torch.cat(
        [fn(tokens_onehot(tokens[i : i + batch])) for i in range(0, len(tokens), batch)]
    )


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    return float(((logits > 0).float() == y).float().mean())


@torch_threads(1)
def genome_scale_run(seed: int, settings: Settings = BOOK) -> dict:
    """One seed of the 50 kb comparison (module-level, for :func:`coursepkg.seeds.map_seeds`).

    1. Pre-train a window reader (motif layer + GRU, ``settings.hidden`` units) on windows.
    2. Hierarchical: encode every sequence's windows once with the frozen reader, train the
       high GRU on the summaries, measure held-out accuracy.
    3. Flat: a reader of the same architecture (motif layer + GRU) read straight through
       all ``L`` bases, trained from scratch on the 50 kb sequences for
       ``settings.flat_updates`` updates, measured on the same held-out sequences.

    Returns accuracies and the CPU seconds each part took (one thread: on a shared machine
    CPU time is steadier than wall time).
    """
    seconds = {}
    start = time.process_time()
    seed_everything(derive(seed, "init", "hierarchical"))
    model = HierarchicalClassifier(
        settings.window,
        low_hidden=settings.hidden,
        high_hidden=settings.hidden,
        cell="gru",
        motif_width=settings.motif_width,
        high_update_bias=settings.high_update_bias,
        window_classes=len(WINDOW_CLASSES),
    )
    window_accuracy = pretrain_windows(model, seed, settings)
    seconds["pre-training"] = time.process_time() - start

    data = genome_data(seed, settings)
    start = time.process_time()
    summaries = {
        part: in_batches(model.summaries, tokens, settings.encode_batch)
        for part, (tokens, _, _) in data.items()
    }
    seconds["encoding"] = time.process_time() - start

    start = time.process_time()
    model.low.requires_grad_(False)
    fit(
        _Top(model),
        summaries["train"],
        data["train"][1],
        F.binary_cross_entropy_with_logits,
        epochs=settings.top_epochs,
        batch_size=settings.top_batch,
        lr=settings.lr,
        seed=derive(seed, "batches", "high"),
        val=(summaries["val"], data["val"][1]),
        clip=settings.clip,
        progress=False,
    )
    with torch.no_grad():
        hierarchical = accuracy(model.classify_summaries(summaries["test"]), data["test"][1])
    seconds["high level"] = time.process_time() - start

    start = time.process_time()
    seed_everything(derive(seed, "init", "flat"))
    flat = FlatClassifier(
        LowLevel(4, settings.hidden, "gru", settings.motif_width),
        torch.nn.Linear(settings.hidden, 1),
    )
    n = settings.flat_updates * settings.flat_batch
    fit(
        flat,
        tokens_onehot(data["train"][0][:n]),
        data["train"][1][:n],
        F.binary_cross_entropy_with_logits,
        epochs=1,
        batch_size=settings.flat_batch,
        lr=settings.lr,
        seed=derive(seed, "batches", "flat"),
        clip=settings.clip,
        progress=False,
    )
    seconds["flat, training"] = time.process_time() - start
    start = time.process_time()
    test_tokens, test_y, _ = data["test"]
    flat_accuracy = accuracy(in_batches(flat, test_tokens, 2 * settings.encode_batch), test_y)
    seconds["flat, reading the test set"] = time.process_time() - start
    return {
        "window": window_accuracy,
        "hierarchical": hierarchical,
        "flat": flat_accuracy,
        "seconds": seconds,
    }


class _Top(torch.nn.Module):
    """The high level of a hierarchical model, as a module of the summaries (for ``fit``)."""

    def __init__(self, model: HierarchicalClassifier):
        super().__init__()
        self.high, self.readout = model.high, model.readout
        self.model = [model]  # not a submodule: its frozen low level is not trained

    def forward(self, summaries: torch.Tensor) -> torch.Tensor:
        return self.model[0].classify_summaries(summaries)


# --- chapter 3's distances ------------------------------------------------------------


def short_length(distance: int, settings: Settings) -> int:
    """Sequence length at ``distance``: at least 4 random bases before the site, rounded up
    to whole windows and dilations (a multiple of ``lcm(window, dilations)``)."""
    unit = math.lcm(settings.short_window, *settings.short_dilations)
    return -(-(4 + SITE + distance) // unit) * unit


SHORT_MODELS = ("vanilla RNN", "LSTM", "hierarchical RNN", "dilated RNN")
"""The models compared at chapter 3's distances (every one trained from scratch)."""


def short_model(name: str, settings: Settings) -> torch.nn.Module:
    H = settings.short_hidden
    if name == "vanilla RNN":
        return LastStateClassifier("rnn", 4, H)
    if name == "LSTM":
        return LastStateClassifier(
            "lstm", 4, H, forget_bias=settings.forget_bias, input_bias=settings.input_bias
        )
    if name == "hierarchical RNN":
        return HierarchicalClassifier(
            settings.short_window, low_hidden=H, high_hidden=H, cell="rnn"
        )
    if name == "dilated RNN":
        return DilatedClassifier(settings.short_dilations, hidden_size=H, cell="rnn")
    raise ValueError(f"unknown model {name!r}; models: {SHORT_MODELS}")


def short_data(seed: int, distance: int, settings: Settings) -> dict:
    length = short_length(distance, settings)
    return {
        part: tuple(
            (tokens_onehot(t), y)
            for t, y in [
                long_enhancer_tokens(n, length, distance, seed=derive(seed, part, distance))
            ]
        )[0]
        for part, n in (
            ("train", settings.n_train_short),
            ("val", settings.n_val_short),
            ("test", settings.n_test_short),
        )
    }


def _solved(x_val: torch.Tensor, y_val: torch.Tensor, level: float):
    @torch.no_grad()
    def stop(model) -> bool:
        return accuracy(model(x_val), y_val) >= level

    return stop


@torch_threads(1)
def distance_run(seed: int, settings: Settings = BOOK, models=SHORT_MODELS) -> dict:
    """Held-out accuracy of every model of :data:`SHORT_MODELS` at every distance, one seed.

    Within a distance every model reads the same sequences; each trains with Adam,
    gradient clipping, the weights of its best validation epoch, and stops early once it
    classifies ``settings.solved`` of the validation sequences correctly.
    """
    result = {name: [] for name in models}
    for distance in settings.distances:
        data = short_data(seed, distance, settings)
        for name in models:
            seed_everything(derive(seed, "init", name))
            model = short_model(name, settings)
            fit(
                model,
                *data["train"],
                F.binary_cross_entropy_with_logits,
                epochs=settings.short_epochs,
                batch_size=settings.short_batch,
                lr=settings.short_lr,
                seed=derive(seed, "batches", name),
                val=data["val"],
                clip=settings.clip,
                progress=False,
                stop=_solved(*data["val"], settings.solved),
            )
            with torch.no_grad():
                result[name].append(accuracy(model(data["test"][0]), data["test"][1]))
    return result


# --- both, over seeds -------------------------------------------------------------------


@dataclass
class Study:
    """Every seed's accuracies: at 50 kb and at chapter 3's distances."""

    seeds: tuple[int, ...]
    distances: tuple[int, ...]
    genome: list[dict]
    """Per seed: :func:`genome_scale_run`'s result."""
    short: dict[str, np.ndarray] = field(default_factory=dict)
    """Model name -> ``(D, S)`` accuracy at ``distances``."""
    seconds: float = 0.0

    def at_50kb(self, key: str) -> np.ndarray:
        """``(S,)``: ``"hierarchical"``, ``"flat"`` or ``"window"`` accuracy, every seed."""
        return np.array([run[key] for run in self.genome])

    def at(self, model: str, distance: int) -> np.ndarray:
        if distance not in self.distances:
            raise ValueError(f"no runs at distance {distance}; distances: {self.distances}")
        return self.short[model][self.distances.index(distance)]

    def claims(self) -> dict:
        far = max(self.distances)
        hier, flat = self.at_50kb("hierarchical"), self.at_50kb("flat")
        values = {
            "ch05.window_reader": self.at_50kb("window"),
            "ch05.hierarchical_50kb": hier,
            "ch05.hierarchical_beats_flat_50kb": hier - flat,
            "ch05.dilated_far": self.at("dilated RNN", far),
            "ch05.dilated_beats_flat_far": self.at("dilated RNN", far)
            - self.at("vanilla RNN", far),
            "ch05.hierarchical_far": self.at("hierarchical RNN", far),
        }
        return {cid: (v, self.seeds) for cid, v in values.items()}


def study(seeds, settings: Settings = BOOK, processes: int = 2, progress: bool = True) -> Study:
    """Both experiments for every seed, spread over ``processes`` processes, one bar."""
    seeds = tuple(int(s) for s in seeds)
    start = time.perf_counter()
    genome = submit_seeds(genome_scale_run, seeds, processes=processes, settings=settings)
    short = submit_seeds(distance_run, seeds, processes=processes, settings=settings)
    futures = [*genome, *short]
    with tqdm(total=len(futures), desc="seeds x experiments", disable=not progress) as bar:
        for _ in as_completed(futures):
            bar.update(1)
    runs = [f.result() for f in short]
    return Study(
        seeds=seeds,
        distances=tuple(settings.distances),
        genome=[f.result() for f in genome],
        short={
            name: np.array([[run[name][i] for run in runs] for i in range(len(settings.distances))])
            for name in SHORT_MODELS
        },
        seconds=time.perf_counter() - start,
    )


def accuracy_rows(result: Study) -> list[dict]:
    """Median (min-max) accuracy over seeds of every model at every distance."""
    return [
        {"distance (bases)": d, **{name: spread(result.at(name, d)) for name in SHORT_MODELS}}
        for d in result.distances
    ]


def genome_rows(result: Study) -> list[dict]:
    """One row per seed at 50 kb: the reader on 1 kb windows, hierarchical, flat."""
    return [
        {
            "seed": seed,
            "reader on 1 kb windows": run["window"],
            "hierarchical, 50 kb": run["hierarchical"],
            "flat, 50 kb": run["flat"],
            "pre-training (s)": run["seconds"]["pre-training"],
            "encoding (s)": run["seconds"]["encoding"],
            "high level (s)": run["seconds"]["high level"],
            "flat training (s)": run["seconds"]["flat, training"],
            "flat reading (s)": run["seconds"]["flat, reading the test set"],
        }
        for seed, run in zip(result.seeds, result.genome, strict=True)
    ]


# --- path lengths, measured on the models ------------------------------------------------


def linear_probe(model: torch.nn.Module, eps: float) -> torch.nn.Module:
    """Set ``model``'s weights (in place, float64) so that it counts recurrent steps.

    Every fused ``nn.RNN`` gets input weights ``I``, recurrent weights ``eps I`` and zero
    biases; the read-out sums the units. At the all-zero input every tanh sits at 0,
    where its slope is 1, so the network is linear there, and the derivative of the
    output with respect to the first base is a sum over the paths from it to the output,
    each path contributing ``eps`` to the power of its recurrent steps. Needs
    ``hidden = input channels`` (4) in every layer.
    """
    model.double()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.RNN):
                H = module.hidden_size
                if module.weight_ih_l0.shape != (H, H):
                    raise ValueError("linear_probe needs layers whose inputs and units match")
                module.weight_ih_l0.copy_(torch.eye(H))
                module.weight_hh_l0.copy_(eps * torch.eye(H))
                module.bias_ih_l0.zero_()
                module.bias_hh_l0.zero_()
        model.readout.weight.fill_(1.0)
        model.readout.bias.zero_()
    return model


def measured_path(model: torch.nn.Module, length: int, eps: float = 1e-3) -> float:
    """``log |d out / d x_0| / log eps`` after :func:`linear_probe`: the number of recurrent
    steps on the shortest path from position 0 to the output (the shortest path's term
    ``eps^p`` outweighs all longer ones). Not rounded, so the reader sees how close it is."""
    linear_probe(model, eps)
    x = torch.zeros(1, length, 4, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(model(x).sum(), x)
    return math.log(abs(float(grad[0, 0, 0]))) / math.log(eps)


@dataclass
class PathLengths:
    """Measured path lengths at one sequence length (deterministic)."""

    length: int
    window: int
    dilations: tuple[int, ...]
    flat: float
    hierarchical: float
    dilated: float

    def claims(self) -> dict[str, float]:
        # to two decimals: the longer paths add a relative eps-sized term to the gradient
        return {
            "ch05.path_flat": round(self.flat, 2),
            "ch05.path_hierarchical": round(self.hierarchical, 2),
            "ch05.path_dilated": round(self.dilated, 2),
        }


def path_exponents(settings: Settings = BOOK) -> PathLengths:
    """Measure (:func:`measured_path`) the flat, hierarchical and dilated vanilla RNNs'
    path lengths at ``settings.path_length`` (no randomness: the weights are set)."""
    L = settings.path_length
    return PathLengths(
        length=L,
        window=settings.path_window,
        dilations=tuple(settings.path_dilations),
        flat=measured_path(LastStateClassifier("rnn", 4, 4), L),
        hierarchical=measured_path(
            HierarchicalClassifier(settings.path_window, low_hidden=4, high_hidden=4, cell="rnn"),
            L,
        ),
        dilated=measured_path(
            DilatedClassifier(settings.path_dilations, hidden_size=4, cell="rnn"), L
        ),
    )


# --- wall times -------------------------------------------------------------------------


def timing_models(settings: Settings = BOOK) -> dict[str, torch.nn.Module]:
    """The 50 kb architectures (motif layer + GRU, ``settings.hidden`` units), untrained."""
    torch.manual_seed(0)  # the weights do not change the time
    H, k = settings.hidden, settings.motif_width
    return {
        "flat": FlatClassifier(LowLevel(4, H, "gru", k), torch.nn.Linear(H, 1)),
        "hierarchical": HierarchicalClassifier(
            settings.window, low_hidden=H, high_hidden=H, cell="gru", motif_width=k
        ),
        "dilated": DilatedClassifier(settings.timing_dilations, hidden_size=H, cell="gru"),
    }


@torch_threads(1)
@torch.no_grad()
def timing_rows(settings: Settings = BOOK) -> list[dict]:
    """CPU seconds (one thread) of one forward pass over ``settings.timing_batch``
    sequences of each length, and the sequential steps each model takes."""
    rows = []
    for name, model in timing_models(settings).items():
        for L in settings.timing_lengths:
            x = tokens_onehot(torch.randint(0, 4, (settings.timing_batch, L)))
            start = time.process_time()
            model(x)
            rows.append(
                {
                    "model": name,
                    "length (bases)": L,
                    "sequential steps": model.sequential_steps(L)
                    if hasattr(model, "sequential_steps")
                    else L,
                    "forward, CPU s": time.process_time() - start,
                }
            )
    return rows
