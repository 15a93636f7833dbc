"""Chapter 1, "The hidden state as memory": the experiments behind its claims.

The task: read DNA one base at a time and answer, at every position t, "has the motif
``ACG`` occurred yet (ending at or before t)?".  The answer is a finite-state machine
with four states (s0 searching, s1 saw A, s2 saw AC, s3 bound) whose last state absorbs.

* :func:`check_fsm_exact` runs the hand-built threshold RNN (:func:`acg_detector`) against
  plain string search.
* :func:`train_motif_networks` trains Elman RNNs on the same labels with gradient descent,
  for every seed of a block and four training regimes at once (one
  :class:`~coursepkg.models.ElmanEnsemble` per sequence length).
* :func:`purity_study` asks, seed by seed, whether the trained hidden states fall into
  k-means clusters that are the machine's states, beside the same network untrained.

Every function takes its seeds as arguments and gives the same numbers on every run; every
random source of a seed (training data, held-out data, initial weights, batch order,
k-means starts) is drawn from :func:`coursepkg.seeds.derive`. They run torch on one thread
(:func:`coursepkg.train.torch_threads`): these models are tiny, and one thread keeps their
timing steady when other processes share the cores. :data:`BOOK` holds the settings that
the notebook and :func:`claims.measure` both use.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from coursepkg.analysis.states import cluster_states, contingency, purity
from coursepkg.data.motifs import motif_dataset, motif_seen, random_sequences
from coursepkg.models.elman import ElmanEnsemble, ElmanRNN
from coursepkg.models.threshold import ThresholdRNN, acg_detector, acg_machine_states
from coursepkg.seeds import derive
from coursepkg.sequences import onehot_batch
from coursepkg.train import fit_ensemble, torch_threads
from coursepkg.viz.tables import spread

MOTIF = "ACG"
"""The motif of chapter 1, the one :func:`acg_detector` is built for."""


@dataclass(frozen=True)
class Settings:
    """Everything that decides the chapter's numbers apart from the seeds."""

    n_seeds: int = 10
    hidden: int = 8
    n_train: int = 2000
    epochs: int = 15
    batch_size: int = 32
    lr: float = 0.01
    regimes: tuple[tuple[int, float], ...] = ((20, 0.5), (20, 0.0), (50, 0.5), (50, 0.0))
    """Training regimes ``(sequence length, share of sequences with a planted ACG)``."""
    held_out_n: int = 1000
    held_out_length: int = 50
    """Held-out sequences: longer than the 20-base training sequences and with nothing
    planted, so they look like the genome rather than like the training set."""
    cluster_sequences: int = 300
    """Held-out sequences whose hidden states are clustered (``300 * 50`` states)."""
    k: int = 8
    """Clusters: twice the machine's four states, so that k-means can spend two clusters
    on a state whose cloud of hidden states is large without merging two small states."""
    restarts: int = 10
    """k-means starts per clustering; the one with the lowest distortion is kept."""
    check_n: int = 5000
    check_length: int = 60
    """Random sequences on which the hand-built detector is checked."""


BOOK = Settings()
"""The settings of the book (the notebook and ``claims.measure`` both use these)."""

LEARNED = 0.05
"""A network "learned" the task when it beats the constant answer by at least this much
accuracy (the constant answer is right on about 70% of the held-out positions)."""


def fsm_states(x: torch.Tensor) -> torch.Tensor:
    """The machine state after each base, from the hand-built detector.

    Parameters
    ----------
    x : torch.Tensor, shape ``(B, L, 4)``
        One-hot DNA.

    Returns
    -------
    torch.Tensor, shape ``(B, L)``, dtype long
        0 searching, 1 saw A, 2 saw AC, 3 bound (names in ``ACG_STATE_NAMES``).
    """
    _, hidden = ThresholdRNN(acg_detector())(x)
    return acg_machine_states(hidden)


@dataclass
class FSMCheck:
    """The hand-built detector against string search on random sequences."""

    n_sequences: int
    length: int
    n_positions: int
    mismatches: int
    """Positions where the network and string search disagree."""
    share_bound: float
    """Share of sequences that contain the motif (end in the bound state)."""

    @property
    def error_rate(self) -> float:
        """Share of positions where the network and string search disagree."""
        return self.mismatches / self.n_positions


@torch_threads(1)
def check_fsm_exact(
    n: int = 5000, length: int = 60, seed: int = 11, weights: dict | None = None
) -> FSMCheck:
    """Compare a threshold RNN with string search, position by position.

    The network's output ``y_t = step(w_out . h_t + b_out)`` is compared with the label
    ``1[ACG ends at or before t]`` from :func:`motif_seen` for every position of ``n``
    uniformly random sequences of ``length`` bases.

    Parameters
    ----------
    weights : dict, optional
        Threshold-RNN weights (see ``coursepkg.models.threshold.WEIGHT_SHAPES``); the
        hand-built :func:`acg_detector` by default.  Pass altered weights to see what
        each one is for.
    """
    seqs = random_sequences(n, length, seed)
    x = onehot_batch(seqs)  # (n, length, 4)
    labels = torch.stack([motif_seen(s, MOTIF) for s in seqs])  # (n, length)
    with torch.no_grad():
        y, _ = ThresholdRNN(acg_detector() if weights is None else weights)(x)  # (n, length)
    return FSMCheck(
        n_sequences=n,
        length=length,
        n_positions=labels.numel(),
        mismatches=int((y != labels).sum()),
        share_bound=float(labels[:, -1].mean()),
    )


@dataclass
class DetectorChecks:
    """The hand-built detector, and the same with its memory weakened, against string search."""

    exact: FSMCheck
    weakened: FSMCheck
    """The detector with the bound unit's self-connection lowered from 2 to 1."""

    def claims(self) -> dict[str, float]:
        return {
            "ch01.fsm_exact": self.exact.mismatches,
            "ch01.self_connection_needed": self.weakened.error_rate,
        }


def weakened_detector() -> dict:
    """:func:`acg_detector` with the self-connection of the "bound" unit lowered from 2 to 1."""
    weights = acg_detector()
    weights["W_h"][2, 2] = 1.0
    return weights


def detector_checks(seed: int, settings: Settings = BOOK) -> DetectorChecks:
    """Both detectors checked on the same random sequences, drawn from ``derive(seed, "check")``."""
    kwargs = {"n": settings.check_n, "length": settings.check_length, "seed": derive(seed, "check")}
    return DetectorChecks(
        exact=check_fsm_exact(**kwargs),
        weakened=check_fsm_exact(**kwargs, weights=weakened_detector()),
    )


def member_losses(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of each member, averaged over its positions: ``(S,)``.

    ``loss_s = -mean_{b,t} [ y log sigma(z) + (1 - y) log(1 - sigma(z)) ]`` for logits
    ``(S, B, L, 1)`` and labels ``(S, B, L)``.
    """
    per_position = F.binary_cross_entropy_with_logits(logits.squeeze(-1), labels, reduction="none")
    return per_position.mean(dim=(1, 2))


def held_out(seed: int, settings: Settings = BOOK) -> tuple[torch.Tensor, torch.Tensor]:
    """Seed ``seed``'s held-out sequences: one-hot ``(n, L, 4)`` and labels ``(n, L)``."""
    x, y, _ = motif_dataset(
        settings.held_out_n, settings.held_out_length, MOTIF, seed=derive(seed, "held-out")
    )
    return x, y


@dataclass
class MotifStudy:
    """Elman RNNs trained for every seed of a block under several training regimes."""

    seeds: tuple[int, ...]
    regimes: tuple[tuple[int, float], ...]
    accuracy: np.ndarray
    """``(R, S)``: per-position accuracy on the seed's held-out sequences."""
    constant_accuracy: np.ndarray
    """``(S,)``: accuracy of always giving the majority answer on the same sequences."""
    losses: np.ndarray
    """``(R, S, epochs)``: training loss of every network after every epoch."""
    ensembles: dict[int, ElmanEnsemble] = field(repr=False)
    """Trained ensembles by sequence length; member ``s * P + p`` is seed ``s``, the
    ``p``-th share of planted sequences used at that length."""
    untrained: dict[int, ElmanEnsemble] = field(repr=False)
    seconds: float = 0.0

    def _where(self, regime: tuple[int, float], s: int) -> tuple[int, int]:
        length, plant = regime
        plants = [p for L, p in self.regimes if L == length]
        return length, s * len(plants) + plants.index(plant)

    def row(self, regime: tuple[int, float]) -> int:
        if regime not in self.regimes:
            raise ValueError(f"no regime {regime}; trained: {self.regimes}")
        return self.regimes.index(regime)

    def gain(self, regime: tuple[int, float]) -> np.ndarray:
        """``(S,)``: accuracy minus the constant answer's, for one regime."""
        return self.accuracy[self.row(regime)] - self.constant_accuracy

    def network(self, regime: tuple[int, float], s: int) -> ElmanRNN:
        """The trained network of seed number ``s`` in ``regime``, as an :class:`ElmanRNN`."""
        length, member = self._where(regime, s)
        return self.ensembles[length].member(member)

    def untrained_network(self, regime: tuple[int, float], s: int) -> ElmanRNN:
        """The same network before training (its random initial weights)."""
        length, member = self._where(regime, s)
        return self.untrained[length].member(member)

    def median_seed(self, regime: tuple[int, float] = (20, 0.5)) -> int:
        """Seed number whose accuracy in ``regime`` is the median: the one figures show."""
        values = self.accuracy[self.row(regime)]
        return int(np.argsort(values)[(len(values) - 1) // 2])

    def claims(self) -> dict[str, tuple[np.ndarray, tuple[int, ...]]]:
        return {
            "ch01.trained_accuracy": (self.accuracy[self.row((20, 0.5))], self.seeds),
            "ch01.long_training_stalls": (self.gain((50, 0.0)), self.seeds),
            "ch01.planting_alone_not_enough": (self.gain((50, 0.5)), self.seeds),
            "ch01.short_alone_not_enough": (self.gain((20, 0.0)), self.seeds),
        }


@torch_threads(1)
def train_motif_networks(seeds, settings: Settings = BOOK, progress: bool = False) -> MotifStudy:
    """Train ``ElmanRNN(4, H, 1)`` networks to say, at every position, whether ``ACG`` has
    occurred, for every seed and every training regime of ``settings``.

    ``h_t = tanh(W_h h_{t-1} + W_x x_t + b)``, ``z_t = w . h_t + c``, trained with Adam on
    :func:`member_losses` (no gradient clipping). A regime ``(L, plant)`` trains on
    ``n_train`` random sequences of ``L`` bases, a share ``plant`` of which get a copy of
    ``ACG`` at a random place. For one seed, every regime starts from the same initial
    weights (``derive(seed, "init")``) and batch order, and the two regimes of one length
    read the same random sequences (``derive(seed, "train", L)``) apart from the planted
    copies: so changing one factor of the regime changes nothing else. Accuracy is
    measured on the seed's held-out sequences (:func:`held_out`).
    """
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("give at least one seed")
    lengths = sorted({L for L, _ in settings.regimes})
    held = [held_out(seed, settings) for seed in seeds]
    test_y = torch.stack([y for _, y in held])  # (S, n, L)
    share = test_y.mean(dim=(1, 2))
    constant = torch.maximum(share, 1 - share).numpy()
    accuracy = np.zeros((len(settings.regimes), len(seeds)))
    losses = np.zeros((len(settings.regimes), len(seeds), settings.epochs))
    ensembles, untrained = {}, {}
    start = time.perf_counter()
    for length in lengths:
        plants = [p for L, p in settings.regimes if L == length]
        members = [(s, p) for s in range(len(seeds)) for p in plants]
        data = [
            motif_dataset(
                settings.n_train, length, MOTIF, seed=derive(seeds[s], "train", length), plant=p
            )
            for s, p in members
        ]
        model = ElmanEnsemble([derive(seeds[s], "init") for s, _ in members], 4, settings.hidden)
        untrained[length] = copy.deepcopy(model).eval()
        history = fit_ensemble(
            model,
            torch.stack([x for x, _, _ in data]),
            torch.stack([y for _, y, _ in data]),
            member_losses,
            seeds=[derive(seeds[s], "batches") for s, _ in members],
            epochs=settings.epochs,
            batch_size=settings.batch_size,
            lr=settings.lr,
            progress=progress,
            desc=f"{len(members)} networks on {length}-base sequences",
        )
        ensembles[length] = model
        with torch.no_grad():
            test_x = torch.stack([held[s][0] for s, _ in members])
            predicted = (model(test_x).squeeze(-1) > 0).float()
            member_accuracy = (predicted == test_y[[s for s, _ in members]]).float()
            member_accuracy = member_accuracy.mean(dim=(1, 2))
        train_loss = np.array(history.train_loss).T  # (members, epochs)
        for m, (s, p) in enumerate(members):
            r = settings.regimes.index((length, p))
            accuracy[r, s] = float(member_accuracy[m])
            losses[r, s] = train_loss[m]
    return MotifStudy(
        seeds=seeds,
        regimes=tuple(settings.regimes),
        accuracy=accuracy,
        constant_accuracy=constant,
        losses=losses,
        ensembles=ensembles,
        untrained=untrained,
        seconds=time.perf_counter() - start,
    )


def regime_table(study: MotifStudy) -> list[dict]:
    """One row per training regime: how many seeds learned, and accuracy over seeds."""
    rows = []
    for regime in study.regimes:
        length, plant = regime
        gain = study.gain(regime)
        rows.append(
            {
                "training sequences": f"{length} bases",
                "with ACG planted": f"{plant:.0%}",
                "seeds that learned": f"{int((gain >= LEARNED).sum())} of {len(gain)}",
                "held-out accuracy": spread(study.accuracy[study.row(regime)]),
                "minus constant answer": spread(gain),
            }
        )
    return rows


@dataclass
class PurityResult:
    """K-means clusters of one network's hidden states compared with the machine's states."""

    k: int
    purity: float
    majority_share: float
    """Share of the most common machine state: the purity of a clustering that knows nothing."""
    table: np.ndarray
    """Counts ``(k, 4)``: points of each machine state (column) in each cluster (row)."""
    clusters: np.ndarray
    """Cluster id of every position, ``(N,)`` with ``N = n * length``."""
    states: np.ndarray
    """Machine state of every position, ``(N,)``."""
    hidden: np.ndarray
    """The hidden states that were clustered, ``(N, H)``."""


@torch.no_grad()
@torch_threads(1)
def state_cluster_purity(
    model: ElmanRNN, x: torch.Tensor, k: int = 4, seed: int = 0, restarts: int = 10
) -> PurityResult:
    """Cluster ``model``'s hidden states on sequences ``x (n, L, 4)`` and score them.

    ``purity = (1/N) sum_c max_s |{positions in cluster c whose machine state is s}|``.
    The states are those after every base; the machine states come from
    :func:`fsm_states`. k-means starts ``restarts`` times (from ``derive(seed, "kmeans",
    i)``) and keeps the lowest distortion. Run it on an untrained network too: the
    difference is what training put there.
    """
    hidden = model.states(x).reshape(-1, model.rnn.hidden_size)  # (N, H)
    states = fsm_states(x).reshape(-1).numpy()  # (N,)
    clusters = cluster_states(hidden, k, seed=seed, restarts=restarts)
    return PurityResult(
        k=k,
        purity=float(purity(clusters, states)),
        majority_share=float(np.bincount(states).max() / len(states)),
        table=contingency(clusters, states),
        clusters=clusters,
        states=states,
        hidden=hidden.numpy(),
    )


@dataclass
class PurityStudy:
    """Cluster purity of the trained and the untrained network of every seed."""

    seeds: tuple[int, ...]
    k: int
    trained: np.ndarray
    """``(S,)`` purity of each seed's trained network."""
    untrained: np.ndarray
    """``(S,)`` purity of the same network before training, clustered the same way."""
    majority_share: np.ndarray
    """``(S,)`` share of the commonest machine state: the floor of any purity."""
    example: tuple[PurityResult, PurityResult]
    """Trained and untrained result of the seed :meth:`MotifStudy.median_seed` picks."""

    def claims(self) -> dict[str, tuple[np.ndarray, tuple[int, ...]]]:
        return {
            "ch01.state_purity": (self.trained, self.seeds),
            "ch01.purity_over_control": (self.trained - self.untrained, self.seeds),
        }


def purity_study(
    study: MotifStudy,
    settings: Settings = BOOK,
    regime: tuple[int, float] = (20, 0.5),
    k: int | None = None,
) -> PurityStudy:
    """:func:`state_cluster_purity` of every seed's trained and untrained network in
    ``regime``, on the first ``settings.cluster_sequences`` of that seed's held-out
    sequences; both are clustered from the same k-means seed, ``derive(seed, "clusters")``.
    """
    k = settings.k if k is None else k
    trained, control, floor, results = [], [], [], []
    for s, seed in enumerate(study.seeds):
        x = held_out(seed, settings)[0][: settings.cluster_sequences]
        pair = tuple(
            state_cluster_purity(
                net, x, k=k, seed=derive(seed, "clusters"), restarts=settings.restarts
            )
            for net in (study.network(regime, s), study.untrained_network(regime, s))
        )
        trained.append(pair[0].purity)
        control.append(pair[1].purity)
        floor.append(pair[0].majority_share)
        results.append(pair)
    return PurityStudy(
        seeds=study.seeds,
        k=k,
        trained=np.array(trained),
        untrained=np.array(control),
        majority_share=np.array(floor),
        example=results[study.median_seed(regime)],
    )


def transition_table(weights: dict | None = None) -> np.ndarray:
    """Read the machine's transitions off the weights of a threshold detector.

    For each machine state ``s`` (its hidden vector: all zeros for s0, unit ``s`` on for
    the others) and each base ``a``, run one step ``step(W_h h + W_x x_a + b)`` and name
    the state it lands in.

    Returns
    -------
    numpy.ndarray, shape ``(4, 4)``
        ``table[s, a]`` is the next state from state ``s`` on base ``a`` (bases in ``ACGT``
        order).
    """
    model = ThresholdRNN(acg_detector() if weights is None else weights)
    n_units = model.h0.shape[0]
    table = np.zeros((4, 4), dtype=int)
    for state in range(4):
        h = torch.zeros(n_units)
        if state > 0:
            h[state - 1] = 1.0
        model.h0.copy_(h)
        _, hidden = model(torch.eye(4).unsqueeze(1))  # four one-base sequences: (4, 1, 4)
        table[state] = acg_machine_states(hidden[:, 0]).numpy()
    return table
