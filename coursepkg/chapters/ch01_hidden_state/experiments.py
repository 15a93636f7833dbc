"""Chapter 1, "The hidden state as memory": the experiments behind its claims.

The task: read DNA one base at a time and answer, at every position t, "has the motif
``ACG`` occurred yet (ending at or before t)?".  The answer is a finite-state machine
with four states (s0 searching, s1 saw A, s2 saw AC, s3 bound) whose last state absorbs.

* :func:`check_fsm_exact` runs the hand-built threshold RNN (:func:`acg_detector`) against
  plain string search.
* :func:`train_motif_rnn` trains an Elman RNN on the same labels with gradient descent.
* :func:`state_cluster_purity` asks whether the trained hidden states fall into clusters
  that are the machine's states.

Every function takes its seeds as arguments and gives the same numbers on every run.
They run torch on one thread (:func:`coursepkg.train.torch_threads`): these models are
tiny, and one thread keeps their timing steady when other processes share the cores.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from coursepkg.analysis.states import cluster_states, contingency, purity
from coursepkg.data.motifs import motif_dataset, motif_seen, random_sequences
from coursepkg.models.elman import ElmanRNN
from coursepkg.models.threshold import ThresholdRNN, acg_detector, acg_machine_states
from coursepkg.sequences import onehot_batch
from coursepkg.train import History, fit, seed_everything, torch_threads

MOTIF = "ACG"
"""The motif of chapter 1, the one :func:`acg_detector` is built for."""

HELD_OUT = {"n": 1000, "length": 50, "seed": 3}
"""The held-out sequences every accuracy and purity in the chapter is measured on.

They are longer (50 bases) than the training sequences (20 bases) and carry no planted
motif, so they look like the genome rather than like the training set.
"""


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


def motif_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy averaged over every position: logits ``(B, L, 1)``, labels ``(B, L)``.

    ``loss = -mean_{b,t} [ y log sigma(z) + (1 - y) log(1 - sigma(z)) ]``
    """
    return F.binary_cross_entropy_with_logits(logits.squeeze(-1), labels)


@torch.no_grad()
@torch_threads(1)
def motif_accuracy(model: nn.Module, n: int = 1000, length: int = 50, seed: int = 3) -> float:
    """Per-position accuracy of ``model`` (logits ``> 0`` mean "seen") on random sequences."""
    x, y, _ = motif_dataset(n, length, MOTIF, seed=seed)
    predicted = (model(x).squeeze(-1) > 0).float()  # (n, length)
    return float((predicted == y).float().mean())


def constant_accuracy(n: int = 1000, length: int = 50, seed: int = 3) -> float:
    """Accuracy of the best constant answer (the majority label) on the same sequences."""
    _, y, _ = motif_dataset(n, length, MOTIF, seed=seed)
    share = float(y.mean())
    return max(share, 1.0 - share)


@dataclass
class MotifRun:
    """A trained Elman RNN, a copy of it before training, and how it did."""

    model: ElmanRNN
    untrained: ElmanRNN
    history: History
    train_length: int
    plant: float
    test_accuracy: float
    """Per-position accuracy on :data:`HELD_OUT`."""
    constant_accuracy: float
    """Accuracy of always giving the majority answer on :data:`HELD_OUT`."""
    seconds: float

    @property
    def gain_over_constant(self) -> float:
        """``test_accuracy - constant_accuracy``: what the network knows beyond the base rate."""
        return self.test_accuracy - self.constant_accuracy


@torch_threads(1)
def train_motif_rnn(
    hidden: int = 8,
    *,
    n: int = 2000,
    length: int = 20,
    plant: float = 0.5,
    epochs: int = 15,
    batch_size: int = 32,
    lr: float = 0.01,
    seed: int = 0,
    data_seed: int = 2,
    progress: bool = False,
) -> MotifRun:
    """Train ``ElmanRNN(4, hidden, 1)`` to say, at every position, whether ``ACG`` has occurred.

    ``h_t = tanh(W_h h_{t-1} + W_x x_t + b)``, ``z_t = w . h_t + c``, trained with Adam on
    :func:`motif_loss` (no gradient clipping).  Training data: ``n`` random sequences of
    ``length`` bases, a share ``plant`` of which get a copy of ``ACG`` at a random place.

    Parameters
    ----------
    hidden : int
        Units H of the hidden state.
    seed : int
        Seeds the initial weights and the batch order.
    data_seed : int
        Seeds the training sequences.

    Returns
    -------
    MotifRun
        Accuracy is measured on :data:`HELD_OUT` (1000 sequences of 50 bases).
    """
    x, y, _ = motif_dataset(n, length, MOTIF, seed=data_seed, plant=plant)  # (n, L, 4), (n, L)
    seed_everything(seed)
    model = ElmanRNN(4, hidden, 1)
    untrained = copy.deepcopy(model)
    start = time.perf_counter()
    history = fit(
        model,
        x,
        y,
        motif_loss,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        seed=seed,
        clip=None,
        progress=progress,
        desc=f"training on {length}-base sequences",
    )
    seconds = time.perf_counter() - start
    untrained.eval()
    return MotifRun(
        model=model,
        untrained=untrained,
        history=history,
        train_length=length,
        plant=plant,
        test_accuracy=motif_accuracy(model, **HELD_OUT),
        constant_accuracy=constant_accuracy(**HELD_OUT),
        seconds=seconds,
    )


@dataclass
class PurityResult:
    """K-means clusters of hidden states compared with the machine's states."""

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
    model: ElmanRNN, k: int = 4, seed: int = 0, n: int = 1000, length: int = 50, data_seed: int = 3
) -> PurityResult:
    """Cluster ``model``'s hidden states with k-means and score them against the machine.

    ``purity = (1/N) sum_c max_s |{positions in cluster c whose machine state is s}|``.
    The states are those after every base of ``n`` random sequences of ``length`` bases
    (:data:`HELD_OUT` by default); the machine states come from :func:`fsm_states`.
    Run it on an untrained network too: the difference is what training put there.
    """
    x, _, _ = motif_dataset(n, length, MOTIF, seed=data_seed)
    hidden = model.states(x).reshape(-1, model.rnn.hidden_size)  # (N, H)
    states = fsm_states(x).reshape(-1).numpy()  # (N,)
    clusters = cluster_states(hidden, k, seed=seed)
    return PurityResult(
        k=k,
        purity=float(purity(clusters, states)),
        majority_share=float(np.bincount(states).max() / len(states)),
        table=contingency(clusters, states),
        clusters=clusters,
        states=states,
        hidden=hidden.numpy(),
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
