"""Chapter 6, "Direction and symmetry": the experiments behind its claims.

Every experiment is a function of one seed that trains the models of one section of the
chapter and returns small results (a dataclass of numbers and short arrays); the chapter
runs it for a block of seeds with :func:`coursepkg.seeds.map_seeds` (one process per core,
one torch thread each). Every random source is drawn from ``derive(seed, "<source>")``.

* :func:`reversal_run`: a forward (5' to 3') LSTM on the real splice junctions or on the
  simulated promoter/gene task, scored on held-out sequences as given and reversed.
* :func:`direction_run`: forward, backward and bidirectional LSTMs labelling every base of
  a site among near-copies.
* :func:`strand_run`: a bidirectional LSTM trained on sites written on one strand, plain,
  with reverse-complement augmentation, and strand-symmetric; scored on both strands.
* :func:`circular_run`: the linear, two-pass and duplication methods on simulated circles
  (transcription units, trained with random cuts).
* :func:`genome_run`: one bidirectional LSTM trained on windows of phage lambda, run on
  the PhiX174 and pPCP1 circles by each method, cut at random places.
* :func:`measured_alignment`: which bases each half of a bidirectional LSTM has read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from coursepkg.analysis.dependence import input_dependence
from coursepkg.data import real
from coursepkg.data.circular import (
    GC_HALF_WIDTH,
    Circle,
    cut_at,
    gc_rich,
    genome_windows,
    random_cuts,
    real_circle,
    transcription_dataset,
)
from coursepkg.data.directional import (
    promoter_gene_dataset,
    site_annotation_dataset,
    strand_site_dataset,
)
from coursepkg.models.bidirectional import DirectionalLSTM
from coursepkg.models.circular import METHODS, CircularLSTM
from coursepkg.models.strand import StrandSymmetric
from coursepkg.seeds import block, derive, map_seeds
from coursepkg.sequences import onehot, onehot_batch, reverse_complement_str
from coursepkg.train import fit, seed_everything, torch_threads

N_SEEDS = 5
"""Seeds per block: every trained-model number of the chapter is measured on this many."""

SPLICE_WINDOW = (15, 45)
"""The bases of each splice-junction 60-mer the model reads: 15 on each side of the
boundary (which lies between bases 30 and 31, 1-based)."""

TASKS = {
    "splice": "primate splice junctions (real, 3 classes)",
    "promoter": "promoter and gene (simulated, 2 classes)",
}

DIRECTION_LABELS = {
    "forward": "forward (5'→3')",
    "backward": "backward (3'→5')",
    "both": "bidirectional",
}

STRAND_ROWS = {
    "plain": "plain",
    "augmented": "reverse-complement augmentation",
    "symmetric": "strand-symmetric (shared weights)",
}

METHOD_LABELS = {
    "linear": "linear (baseline)",
    "two_pass": "two-pass",
    "duplication": "duplication",
}

NEAR_SIM = 20
"""On simulated circles, the bases "near the origin": the 20 after the cut, which a
forward model reads with no context."""

NEAR_GENOME = 10
"""On the genomes, the bases "near the origin": the 10 on each side of the cut, where a
bidirectional model misses context (half of each base's 41-base window, at worst)."""

GENOMES = ("phix174", "ppcp1")


def seeds(seed_base: int | None = None) -> list[int]:
    """The chapter's block of :data:`N_SEEDS` seeds (the book's, or from ``seed_base``)."""
    return block(N_SEEDS, seed_base)


def _accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of correct answers: argmax for several classes, ``logit > 0`` for one."""
    if logits.dim() == labels.dim() + 1:
        return float((logits.argmax(-1) == labels).float().mean())
    return float(((logits > 0).long() == labels.long()).float().mean())


# --- 1. direction: a forward model on reversed input --------------------------------------


@dataclass
class ReversalRun:
    """A forward LSTM scored on held-out sequences as given and read backwards."""

    task: str
    seed: int
    forward_accuracy: float
    reversed_accuracy: float
    chance: float
    """Accuracy of always answering the commonest class of the held-out set."""

    @property
    def drop(self) -> float:
        return self.forward_accuracy - self.reversed_accuracy


def _encoded(seqs: list[str], labels) -> tuple[torch.Tensor, torch.Tensor]:
    return onehot_batch(seqs), torch.tensor(labels)


def _splice_data(seed: int):
    """Train and test sets of the splice junctions (a seeded split) and the class count."""
    seqs, labels = real.splice_junctions()
    a, b = SPLICE_WINDOW
    seqs = [s[a:b] for s in seqs]
    order = np.random.default_rng(derive(seed, "split")).permutation(len(seqs))
    train, test = order[:2200], order[2200:]
    return (
        _encoded([seqs[i] for i in train], labels[train]),
        _encoded([seqs[i] for i in test], labels[test]),
        3,
    )


def _promoter_data(seed: int):
    """Train and test sets of the simulated promoter task and the class count (1: binary)."""
    train = promoter_gene_dataset(1000, seed=derive(seed, "train"))
    test = promoter_gene_dataset(1000, seed=derive(seed, "test"))
    return _encoded(*train), _encoded(*test), 1


REVERSAL_SETTINGS = {
    "splice": {"hidden": 32, "epochs": 12, "lr": 0.02, "batch_size": 32, "forget_bias": 3.0},
    "promoter": {"hidden": 16, "epochs": 6, "lr": 0.01, "batch_size": 64, "forget_bias": None},
}


@torch_threads(1)
def reversal_run(seed: int, task: str = "splice") -> ReversalRun:
    """Train ``DirectionalLSTM("forward")`` on ``task`` and score it forwards and reversed.

    ``"splice"``: 2,200 of the 3,186 primate splice junctions (a seeded split; the bases
    in :data:`SPLICE_WINDOW`), three classes, cross-entropy; the other 986 are held out.
    ``"promoter"``: 1,000 simulated sequences (:func:`promoter_gene_dataset`), binary
    cross-entropy; 1,000 fresh ones held out. Reversed means ``x.flip(1)``: the same
    strand, read 3' to 5' (no complement).
    """
    if task not in REVERSAL_SETTINGS:
        raise ValueError(f"task must be one of {sorted(REVERSAL_SETTINGS)}, got {task!r}")
    settings = REVERSAL_SETTINGS[task]
    (x, y), (xt, yt), classes = (_splice_data if task == "splice" else _promoter_data)(seed)
    seed_everything(derive(seed, "init"))
    model = DirectionalLSTM(
        "forward", settings["hidden"], classes, forget_bias=settings["forget_bias"]
    )
    loss = F.cross_entropy if classes > 1 else F.binary_cross_entropy_with_logits
    fit(
        model,
        x,
        y if classes > 1 else y.float(),
        loss,
        epochs=settings["epochs"],
        batch_size=settings["batch_size"],
        lr=settings["lr"],
        seed=derive(seed, "batches"),
        progress=False,
    )
    with torch.no_grad():
        forward, backward = _accuracy(model(xt), yt), _accuracy(model(xt.flip(1)), yt)
    chance = float(torch.bincount(yt).max() / len(yt))
    return ReversalRun(task, seed, forward, backward, chance)


def reversal(seed_list: list[int], task: str) -> list[ReversalRun]:
    """:func:`reversal_run` for every seed, on both cores."""
    return map_seeds(reversal_run, seed_list, task=task)


def reversal_table(runs: dict[str, list[ReversalRun]]) -> list[dict]:
    """One row per task: accuracy as given, reversed, and the paired drop (median
    (min-max) over seeds)."""
    from coursepkg.viz.tables import spread

    return [
        {
            "task": TASKS[task],
            "as given (5'→3')": spread([r.forward_accuracy for r in rs]),
            "reversed (3'→5')": spread([r.reversed_accuracy for r in rs]),
            "drop (paired)": spread([r.drop for r in rs]),
            "commonest class": f"{rs[0].chance:.3f}",
        }
        for task, rs in runs.items()
    ]


# --- 2. both directions: labelling the bases of a site ------------------------------------


@dataclass
class DirectionRun:
    """Per-base accuracy of each reading direction on the site-annotation task."""

    seed: int
    accuracy: dict[str, float]
    example: str
    """One held-out sequence, for the figure."""
    example_labels: np.ndarray
    example_probability: dict[str, np.ndarray]
    """Each model's probability that each base of :attr:`example` is in a site."""

    def gain(self, over: str) -> float:
        """Bidirectional accuracy minus that of one direction, on this seed's data."""
        return self.accuracy["both"] - self.accuracy[over]


@torch_threads(1)
def direction_run(seed: int, hidden: int = 16, epochs: int = 8) -> DirectionRun:
    """Train a forward, a backward and a bidirectional LSTM (``hidden`` units per direction)
    to label the bases of ``TATAAT`` sites among decoys (:func:`site_annotation_dataset`):
    1,000 training sequences of 48 bases, 1,000 held out."""
    seqs, labels = site_annotation_dataset(1000, seed=derive(seed, "train"))
    test_seqs, test_labels = site_annotation_dataset(1000, seed=derive(seed, "test"))
    x, y = onehot_batch(seqs), torch.tensor(labels, dtype=torch.float32)
    xt, yt = onehot_batch(test_seqs), torch.tensor(test_labels)
    accuracy, probability = {}, {}
    for direction in ("forward", "backward", "both"):
        seed_everything(derive(seed, "init", direction))
        model = DirectionalLSTM(direction, hidden, 1, per_position=True)
        fit(
            model,
            x,
            y,
            F.binary_cross_entropy_with_logits,
            epochs=epochs,
            batch_size=64,
            lr=0.01,
            seed=derive(seed, "batches"),
            progress=False,
        )
        with torch.no_grad():
            logits = model(xt)
        accuracy[direction] = _accuracy(logits, yt)
        probability[direction] = torch.sigmoid(logits[0]).numpy()
    return DirectionRun(seed, accuracy, test_seqs[0], test_labels[0], probability)


def directions(seed_list: list[int]) -> list[DirectionRun]:
    """:func:`direction_run` for every seed, on both cores."""
    return map_seeds(direction_run, seed_list)


@dataclass
class Alignment:
    """Which input positions each half of a bidirectional LSTM's state has read."""

    sequence: str
    forward: np.ndarray
    """``(L, L)`` booleans: ``forward[t, s]``, the forward half at t depends on base s."""
    backward: np.ndarray

    @property
    def mismatches(self) -> int:
        """Entries that differ from the rule: forward reads ``s <= t``, backward ``s >= t``."""
        t = np.arange(len(self.sequence))
        rule_forward = t[None, :] <= t[:, None]
        rule_backward = t[None, :] >= t[:, None]
        return int((self.forward != rule_forward).sum() + (self.backward != rule_backward).sum())


@torch_threads(1)
def measured_alignment(
    sequence: str = "TTGACATATAATGC", hidden: int = 8, seed: int = 0
) -> Alignment:
    """Measure, by autograd, which bases each half of a (random) bidirectional LSTM's state
    depends on at every position (:func:`coursepkg.analysis.dependence.input_dependence`)."""
    torch.manual_seed(seed)
    model = DirectionalLSTM("both", hidden, per_position=True)
    x = onehot(sequence)
    forward = input_dependence(lambda z: model.states(z)[..., :hidden], x, seed=seed)
    backward = input_dependence(lambda z: model.states(z)[..., hidden:], x, seed=seed)
    return Alignment(sequence, forward, backward)


# --- 3. strands ------------------------------------------------------------------------------


@dataclass
class StrandRun:
    """Three ways to train for a strand-symmetric label, scored on both strands."""

    seed: int
    accuracy: dict[str, float]
    """Per-base accuracy on held-out windows with sites on either strand."""
    disagreement: dict[str, float]
    """Share of site bases whose predicted label differs between the window and its reverse
    complement (the prediction on the reverse complement read back in the window's order)."""

    def reduction(self) -> float:
        """Disagreement of the plain model minus that of the augmented one."""
        return self.disagreement["plain"] - self.disagreement["augmented"]


@torch_threads(1)
def strand_run(seed: int, hidden: int = 16, epochs: int = 8) -> StrandRun:
    """Train a bidirectional LSTM to label the bases of GATA sites, on 1,000 windows of
    48 bases whose sites are all written on the given strand (``AGATAA``), three ways:

    ``"plain"``
        as they are, ``epochs`` passes;
    ``"augmented"``
        each window and its reverse complement (Biopython, on the strings; labels read
        backwards), ``epochs / 2`` passes: the same number of updates;
    ``"symmetric"``
        as they are, through :class:`StrandSymmetric` (one network reads both strands).

    Held out: 1,000 windows whose sites lie on either strand, and their reverse complements.
    """
    seqs, labels = strand_site_dataset(1000, strands="+", seed=derive(seed, "train"))
    test_seqs, test_labels = strand_site_dataset(1000, strands="both", seed=derive(seed, "test"))
    xt, yt = onehot_batch(test_seqs), torch.tensor(test_labels)
    xt_other = onehot_batch([reverse_complement_str(s) for s in test_seqs])
    accuracy, disagreement = {}, {}
    for row in STRAND_ROWS:
        train_seqs, train_labels, passes = seqs, labels, epochs
        if row == "augmented":
            train_seqs = seqs + [reverse_complement_str(s) for s in seqs]
            train_labels = np.concatenate([labels, labels[:, ::-1]])
            passes = epochs // 2
        x, y = onehot_batch(train_seqs), torch.tensor(train_labels.copy(), dtype=torch.float32)
        seed_everything(derive(seed, "init"))
        network = DirectionalLSTM("both", hidden, 1, per_position=True)
        model = StrandSymmetric(network, per_position=True) if row == "symmetric" else network
        fit(
            model,
            x,
            y,
            F.binary_cross_entropy_with_logits,
            epochs=passes,
            batch_size=64,
            lr=0.01,
            seed=derive(seed, "batches"),
            progress=False,
        )
        with torch.no_grad():
            here = model(xt) > 0  # (N, L)
            there = (model(xt_other) > 0).flip(1)  # the other strand, back in this order
        accuracy[row] = float((here.long() == yt).float().mean())
        disagreement[row] = float((here != there)[yt == 1].float().mean())
    return StrandRun(seed, accuracy, disagreement)


def strands(seed_list: list[int]) -> list[StrandRun]:
    """:func:`strand_run` for every seed, on both cores."""
    return map_seeds(strand_run, seed_list)


def strand_table(runs: list[StrandRun]) -> list[dict]:
    """One row per way of training: accuracy and disagreement, median (min-max)."""
    from coursepkg.viz.tables import spread

    return [
        {
            "training": label,
            "per-base accuracy (both strands)": spread([r.accuracy[row] for r in runs]),
            "strand disagreement (site bases)": spread([r.disagreement[row] for r in runs]),
        }
        for row, label in STRAND_ROWS.items()
    ]


# --- 4. circles --------------------------------------------------------------------------------


@dataclass
class MethodScore:
    """One circular method on one seed."""

    accuracy: float
    near: float
    """Accuracy on the bases next to the cut (:data:`NEAR_SIM`, :data:`NEAR_GENOME`)."""
    elsewhere: float
    equivariance: float
    """Largest change of any base's predicted probability when the circle is cut elsewhere,
    averaged over the cuts tried (and over circles)."""
    by_position: np.ndarray | None = None
    """Accuracy at each position counted from the cut (simulated circles)."""


@dataclass
class CircularRun:
    """The three methods, each trained on simulated circles with random cuts."""

    seed: int
    scores: dict[str, MethodScore]

    def near_gain(self, method: str) -> float:
        """Accuracy near the cut of ``method`` minus that of the linear baseline."""
        return self.scores[method].near - self.scores["linear"].near


def _equivariance(model: CircularLSTM, seqs: list[str], labels: np.ndarray, cuts, method) -> float:
    """Mean over circles and cuts of ``max_t |p_cut(t) - p(t)|``, the prediction on the cut
    circle read back in the original order."""
    with torch.no_grad():
        reference = torch.sigmoid(model(onehot_batch(seqs), method))  # (N, L)
        worst = []
        for cut in cuts:
            cut_seqs = [cut_at(s, lab, cut)[0] for s, lab in zip(seqs, labels, strict=True)]
            moved = torch.sigmoid(model(onehot_batch(cut_seqs), method))
            back = torch.roll(
                moved, shifts=int(cut), dims=1
            )  # base i of the cut string is base i + cut
            worst.append((back - reference).abs().amax(dim=1))  # (N,)
    return float(torch.stack(worst).mean())


@torch_threads(1)
def circular_run(seed: int, hidden: int = 16, epochs: int = 6, length: int = 120) -> CircularRun:
    """Train :class:`CircularLSTM` (forward only) by each method on 500 simulated circles of
    ``length`` bases (:func:`transcription_dataset`), each cut open at two random places
    (random-rotation augmentation), and score it on 500 held-out circles: per-base accuracy
    at their own cut, near it and elsewhere, and the equivariance error over three cuts."""
    seqs, labels = transcription_dataset(500, length=length, seed=derive(seed, "train"))
    seqs, labels, _ = random_cuts(seqs, labels, copies=2, seed=derive(seed, "cuts"))
    test_seqs, test_labels = transcription_dataset(500, length=length, seed=derive(seed, "test"))
    x, y = onehot_batch(seqs), torch.tensor(labels, dtype=torch.float32)
    xt, yt = onehot_batch(test_seqs), torch.tensor(test_labels)
    cuts = np.random.default_rng(derive(seed, "test cuts")).integers(1, length, 3)
    scores = {}
    for method in METHODS:
        seed_everything(derive(seed, "init"))
        model = CircularLSTM(method, hidden)
        fit(
            model,
            x,
            y,
            F.binary_cross_entropy_with_logits,
            epochs=epochs,
            batch_size=64,
            lr=0.01,
            seed=derive(seed, "batches"),
            progress=False,
        )
        with torch.no_grad():
            correct = ((model(xt) > 0).long() == yt).float()  # (N, L)
        scores[method] = MethodScore(
            accuracy=float(correct.mean()),
            near=float(correct[:, :NEAR_SIM].mean()),
            elsewhere=float(correct[:, NEAR_SIM:].mean()),
            equivariance=_equivariance(model, test_seqs, test_labels, cuts, method),
            by_position=correct.mean(0).numpy(),
        )
    return CircularRun(seed, scores)


def circles(seed_list: list[int]) -> list[CircularRun]:
    """:func:`circular_run` for every seed, on both cores."""
    return map_seeds(circular_run, seed_list)


@dataclass
class GenomeRun:
    """One network trained on lambda windows, run on real circles by every method."""

    seed: int
    scores: dict[str, dict[str, MethodScore]]
    """``scores[genome][method]``."""
    state: dict = field(repr=False, default_factory=dict)
    """The trained weights (``CircularLSTM(bidirectional=True)``'s state dict)."""

    def near_gain(self, genome: str, method: str) -> float:
        return self.scores[genome][method].near - self.scores[genome]["linear"].near


GENOME_MODEL = {"hidden_size": 16, "bidirectional": True}
"""How the genome network is built: ``CircularLSTM(method, **GENOME_MODEL)``."""


def lambda_training_set(seed: int, n: int = 1000, width: int = 150):
    """``n`` windows of phage lambda (a linear genome) with :func:`gc_rich` labels from the
    whole genome."""
    genome = str(real.lambda_phage().seq).upper()
    labels = gc_rich(genome, GC_HALF_WIDTH, circular=False)
    return genome_windows(genome, labels, n, width, seed=derive(seed, "windows"))


def genome_model(state: dict, method: str = "two_pass") -> CircularLSTM:
    """The genome network rebuilt from its weights, set to run by ``method``."""
    model = CircularLSTM(method, **GENOME_MODEL)
    model.load_state_dict(state)
    return model.eval()


def _cut_scores(model: CircularLSTM, circle: Circle, cuts, method: str) -> MethodScore:
    """Score one method on a circle cut open at its record's origin and at ``cuts``."""
    L = len(circle)
    y = torch.tensor(circle.labels)
    with torch.no_grad():
        reference = torch.sigmoid(model(onehot(circle.sequence)[None], method))[0]
        opened = onehot_batch([cut_at(circle.sequence, circle.labels, c)[0] for c in cuts])
        moved = torch.sigmoid(model(opened, method))  # (K, L): base i is base (i + cut) % L
    near_parts, far_parts, worst = [], [], []
    for k, cut in enumerate(cuts):
        truth = torch.roll(y, shifts=-int(cut))  # the labels in the cut string's order
        correct = ((moved[k] > 0.5).long() == truth).float()
        near_parts.append(torch.cat([correct[:NEAR_GENOME], correct[L - NEAR_GENOME :]]))
        far_parts.append(correct[NEAR_GENOME : L - NEAR_GENOME])
        worst.append(float((torch.roll(moved[k], shifts=int(cut)) - reference).abs().max()))
    return MethodScore(
        accuracy=float(((reference > 0.5).long() == y).float().mean()),
        near=float(torch.cat(near_parts).mean()),
        elsewhere=float(torch.cat(far_parts).mean()),
        equivariance=float(np.mean(worst)),
    )


@torch_threads(1)
def genome_run(seed: int, epochs: int = 6, n_cuts: int = 24) -> GenomeRun:
    """Train one bidirectional :class:`CircularLSTM` on 1,000 windows of phage lambda
    (:func:`lambda_training_set`; windows cut at random places are the linear genome's
    random rotations), then run it on PhiX174 and pPCP1 by each method, at the record's
    origin and cut open at ``n_cuts`` random places. No base of either circle is trained on."""
    seqs, labels = lambda_training_set(seed)
    x, y = onehot_batch(seqs), torch.tensor(labels, dtype=torch.float32)
    seed_everything(derive(seed, "init"))
    model = CircularLSTM("linear", **GENOME_MODEL)
    fit(
        model,
        x,
        y,
        F.binary_cross_entropy_with_logits,
        epochs=epochs,
        batch_size=32,
        lr=0.01,
        seed=derive(seed, "batches"),
        progress=False,
    )
    model.eval()
    scores = {}
    for genome in GENOMES:
        circle = real_circle(genome)
        cuts = np.random.default_rng(derive(seed, "cuts", genome)).integers(1, len(circle), n_cuts)
        scores[genome] = {m: _cut_scores(model, circle, cuts, m) for m in METHODS}
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    return GenomeRun(seed, scores, state)


def genomes(seed_list: list[int]) -> list[GenomeRun]:
    """:func:`genome_run` for every seed, on both cores."""
    return map_seeds(genome_run, seed_list)


def circular_table(runs: list[CircularRun]) -> list[dict]:
    """Simulated circles: one row per method, median (min-max) over seeds."""
    from coursepkg.viz.tables import spread

    return [
        {
            "method": METHOD_LABELS[m],
            "accuracy": spread([r.scores[m].accuracy for r in runs]),
            f"first {NEAR_SIM} bases after the cut": spread([r.scores[m].near for r in runs]),
            "elsewhere": spread([r.scores[m].elsewhere for r in runs]),
            "equivariance error": spread([r.scores[m].equivariance for r in runs], digits=4),
        }
        for m in METHODS
    ]


def genome_table(runs: list[GenomeRun]) -> list[dict]:
    """Real circles: one row per genome and method, median (min-max) over seeds."""
    from coursepkg.viz.tables import spread

    rows = []
    for genome in GENOMES:
        for m in METHODS:
            rows.append(
                {
                    "genome": genome,
                    "method": METHOD_LABELS[m],
                    f"within {NEAR_GENOME} bases of the cut": spread(
                        [r.scores[genome][m].near for r in runs]
                    ),
                    "elsewhere": spread([r.scores[genome][m].elsewhere for r in runs]),
                    "equivariance error": spread(
                        [r.scores[genome][m].equivariance for r in runs], digits=4
                    ),
                }
            )
    return rows
