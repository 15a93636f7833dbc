"""Chapter 7's experiments: what the hidden states of three trained networks track.

* :func:`regulatory_run` trains a bidirectional LSTM (after a layer of short filters) to
  tell simulated promoters from enhancers (:mod:`coursepkg.data.regulatory`) and
  correlates each unit of its summary with the features that define the two classes:
  motif count, motif spacing and TATA boxes in the enhancers, CpG density in the
  promoters. A probe moves one TATA box in each held-out enhancer to the promoters'
  TATA position or elsewhere, to ask whether the network cares where the box is.
  Occlusion (:mod:`coursepkg.analysis.occlusion`) hides one base at a time and asks
  whether the bases the output depends on most are the signals we planted (an
  enhancer's motif sites, a promoter's TATA box); ablation
  zeroes the summary units that track the motif count most closely and measures the
  accuracy lost, beside zeroing as many units drawn at random.
* :func:`family_run` trains a next-residue LSTM on the Pfam fn3 seed and compares, column
  by column of the alignment, how far apart the members' hidden states are with how
  conserved the column is.
* :func:`species_run` trains a next-nucleotide LSTM on the genomes of twelve simulated
  species (:mod:`coursepkg.data.species`), rebuilds the species tree from its hidden states
  and scores it against the true tree and a k-mer baseline.

Every run has an untrained control: the same network, with the same initial weights,
before training. :func:`run` starts every seed of all three on two cores; one settings
object (:data:`BOOK`) serves the notebook and ``claims.measure``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import spearmanr

from coursepkg.analysis.conservation import AlignedFamily, mean_pairwise_distance
from coursepkg.analysis.occlusion import occlusion_profile, top_k_hits
from coursepkg.analysis.phylogeny import (
    kmer_tree,
    robinson_foulds,
    species_summaries,
    tree_from_profiles,
)
from coursepkg.analysis.units import unit_correlations
from coursepkg.data import real
from coursepkg.data.regulatory import (
    TATA,
    enhancer_promoter_dataset,
    motif_sites,
    tata_position,
)
from coursepkg.data.species import simulate_species
from coursepkg.models.enhancer_promoter import EnhancerPromoterLSTM
from coursepkg.models.nucleotide_lm import NucleotideLM, next_base_loss
from coursepkg.models.residue_lm import IGNORE, ResidueLM, encode_family
from coursepkg.seeds import block, derive, submit_seeds
from coursepkg.sequences import onehot_batch
from coursepkg.train import fit, torch_threads


@dataclass(frozen=True)
class Settings:
    """Every setting of the chapter; :data:`BOOK` is the book's."""

    n_seeds: int = 5
    # promoters and enhancers
    length: int = 100
    n_train: int = 1500
    n_test: int = 600
    hidden: int = 16
    filters: int = 16
    epochs: int = 10
    n_occluded: int = 100
    top_k: int = 6
    n_ablated: int = 4
    ablation_draws: int = 20
    # the fn3 family
    family_hidden: int = 32
    family_epochs: int = 20
    # twelve species
    genome_train: int = 4000
    genome_test: int = 20000
    sigma: float = 1.0
    species_hidden: int = 64
    species_epochs: int = 16
    window: int = 100
    k: int = 3


BOOK = Settings()
"""The settings of the book (and of ``claims.measure``)."""


def seeds(seed_base: int | None = None, settings: Settings = BOOK) -> list[int]:
    """The block of seeds (the book's, or the one starting at ``seed_base``)."""
    return block(settings.n_seeds, base=seed_base)


# --- 1. promoters and enhancers --------------------------------------------------------------

FEATURE_CLASS = {
    "motif_count": 0,
    "spacing": 0,
    "tata_count": 0,
    "cpg_density": 1,
}
"""Each feature is correlated within one class, where it varies and the label does not:
the motif grammar and the stray TATA boxes within enhancers (0), the CpG density within
promoters (1)."""

FEATURE_LABELS = {
    "motif_count": "motif count (enhancers)",
    "spacing": "motif spacing (enhancers)",
    "tata_count": "TATA boxes anywhere (enhancers)",
    "cpg_density": "CpG density (promoters)",
    "tata_at_tss": "TATA at the promoter position (probe)",
}
"""How tables and figures name the features."""

NETWORKS = ("trained", "untrained")


@dataclass
class RegulatoryRun:
    """One seed of the promoter-versus-enhancer experiment."""

    seed: int
    model: EnhancerPromoterLSTM
    untrained: EnhancerPromoterLSTM
    accuracy: float
    test_sequences: list
    test_labels: np.ndarray
    correlations: dict
    """``{feature: {"trained": (2H,), "untrained": (2H,)}}``: Pearson r of every unit."""
    probe_shift: dict
    """``{"trained": .., "untrained": ..}``: mean change of the logit when the same TATA box
    sits at the promoters' TATA position instead of elsewhere (paired, enhancer by enhancer)."""

    occlusion: dict
    """``{kind: {"trained": .., "untrained": .., "shuffled sites": ..}}`` for each of
    :data:`OCCLUDED` (``"enhancers"``, ``"promoters"``): the mean share of each held-out
    sequence's ``top_k`` occlusion positions that fall on its planted signal (an enhancer's
    motif sites, a promoter's TATA box at the TATA position); "shuffled sites" scores the
    trained network's positions against the signal's bases permuted along each sequence."""
    examples: dict
    """One held-out sequence of each kind: ``{kind: {"sequence", "sites" (L,), "trained"
    (L,), "untrained" (L,)}}`` (the occlusion profiles)."""
    ablation: dict
    """``{"top": .., "random": ..}``: held-out accuracy lost when ``n_ablated`` summary units
    are set to 0: the ones with the largest ``|r|`` with the motif count (chosen on the
    training enhancers), or random ones (mean over ``ablation_draws`` draws)."""

    def best(self, feature: str, network: str = "trained") -> float:
        """The largest ``|r|`` of any unit with ``feature``."""
        return float(np.abs(self.correlations[feature][network]).max())

    def best_unit(self, feature: str, network: str = "trained") -> int:
        return int(np.argmax(np.abs(self.correlations[feature][network])))

    def gain(self, feature: str) -> float:
        """Best ``|r|``, trained minus untrained (the same units and sequences)."""
        return self.best(feature) - self.best(feature, "untrained")

    def on_signal(self, network: str) -> float:
        """Share of top-k occlusion positions on the planted signal, the mean of the two
        kinds of sequence (each kind counts the same): ``network`` is ``"trained"``,
        ``"untrained"`` or ``"shuffled sites"``."""
        return float(np.mean([self.occlusion[kind][network] for kind in OCCLUDED]))


def tata_probe(enhancers: list[str], seed: int) -> tuple[list[str], list[str]]:
    """Two copies of each enhancer: one with a ``TATAAA`` written at the promoters' TATA
    position, one with it written at a random place at least 10 bases away."""
    length = len(enhancers[0])
    at = tata_position(length)
    rng = np.random.default_rng(seed)
    there, elsewhere = [], []
    for seq in enhancers:
        where = at
        while abs(where - at) < 10:
            where = int(rng.integers(0, length - len(TATA) + 1))
        there.append(seq[:at] + TATA + seq[at + len(TATA) :])
        elsewhere.append(seq[:where] + TATA + seq[where + len(TATA) :])
    return there, elsewhere


def regulatory_run(seed: int, settings: Settings = BOOK) -> RegulatoryRun:
    """Train the classifier on one seed's data and measure what its units track."""
    with torch_threads(1):
        data = enhancer_promoter_dataset(
            settings.n_train + settings.n_test, settings.length, derive(seed, "data")
        )
        x = onehot_batch(data.sequences)
        y = torch.tensor(data.labels, dtype=torch.float32)
        n = settings.n_train
        torch.manual_seed(derive(seed, "init"))
        model = EnhancerPromoterLSTM(settings.hidden, settings.filters)
        untrained = copy.deepcopy(model)
        fit(
            model,
            x[:n],
            y[:n],
            F.binary_cross_entropy_with_logits,
            epochs=settings.epochs,
            batch_size=32,
            lr=1e-2,
            seed=derive(seed, "batches"),
            progress=False,
        )
        model.eval()
        labels = data.labels[n:]
        correlations: dict = {}
        shifts = {}
        with torch.no_grad():
            accuracy = float(((model(x[n:]) > 0).float() == y[n:]).float().mean())
            enhancers = [s for s, c in zip(data.sequences[n:], labels, strict=True) if c == 0]
            there, elsewhere = tata_probe(enhancers, derive(seed, "probe"))
            for name, net in (("trained", model), ("untrained", untrained)):
                summary = net.summary(x[n:]).numpy()
                for feature, cls in FEATURE_CLASS.items():
                    keep = labels == cls
                    r = unit_correlations(summary[keep], data.features[feature][n:][keep])
                    correlations.setdefault(feature, {})[name] = r
                shift = net(onehot_batch(there)) - net(onehot_batch(elsewhere))
                shifts[name] = float(shift.mean())
        promoters = [s for s, c in zip(data.sequences[n:], labels, strict=True) if c == 1]
        occlusion, examples = occlusion_scores(
            model,
            untrained,
            {"enhancers": enhancers, "promoters": promoters},
            settings,
            derive(seed, "shuffle"),
        )
        ablation = ablation_drops(model, x, data, settings, derive(seed, "ablation"))
    return RegulatoryRun(
        seed,
        model,
        untrained,
        accuracy,
        data.sequences[n:],
        labels,
        correlations,
        shifts,
        occlusion,
        examples,
        ablation,
    )


OCCLUDED = ("enhancers", "promoters")
"""The two kinds of held-out sequence occlusion is scored on, each against its own signal."""


def planted_signal(kind: str, sequences: list[str]) -> np.ndarray:
    """``(N, L)`` bool, True on the bases of the signal the simulator planted: every motif
    site of an enhancer (:func:`~coursepkg.data.regulatory.motif_sites`), or the TATA box at
    the promoters' TATA position."""
    if kind == "enhancers":
        return motif_sites(sequences)
    if kind == "promoters":
        length = len(sequences[0])
        mask = np.zeros((len(sequences), length), dtype=bool)
        at = tata_position(length)
        mask[:, at : at + len(TATA)] = True
        return mask
    raise ValueError(f"kind must be one of {OCCLUDED}, got {kind!r}")


def occlusion_scores(model, untrained, held_out: dict, settings: Settings, seed: int):
    """Top-``k`` occlusion hits on the planted signals (see :attr:`RegulatoryRun.occlusion`)
    of the first ``settings.n_occluded`` held-out sequences of each kind, and the profiles of
    the first sequence of each kind."""
    rng = np.random.default_rng(seed)
    k = settings.top_k
    scores, examples = {}, {}
    for kind in OCCLUDED:
        sequences = held_out[kind][: settings.n_occluded]
        sites = planted_signal(kind, sequences)
        x = onehot_batch(sequences)
        profiles = {
            name: occlusion_profile(net, x).numpy()
            for name, net in (("trained", model), ("untrained", untrained))
        }
        shuffled = np.stack([rng.permutation(row) for row in sites])
        scores[kind] = {name: float(top_k_hits(p, sites, k).mean()) for name, p in profiles.items()}
        scores[kind]["shuffled sites"] = float(top_k_hits(profiles["trained"], shuffled, k).mean())
        examples[kind] = {"sequence": sequences[0], "sites": sites[0]}
        examples[kind].update({name: p[0] for name, p in profiles.items()})
    return scores, examples


def ablation_drops(model, x, data, settings: Settings, seed: int) -> dict:
    """Held-out accuracy lost by zeroing summary units (see :attr:`RegulatoryRun.ablation`)."""
    n, m = settings.n_train, settings.n_ablated
    y = torch.tensor(data.labels[n:], dtype=torch.float32)
    with torch.no_grad():
        train_s = model.summary(x[:n]).numpy()
        test_s = model.summary(x[n:])
        keep = data.labels[:n] == 0
        r = unit_correlations(train_s[keep], data.features["motif_count"][:n][keep])

        def accuracy(units) -> float:
            s = test_s.clone()
            s[:, list(units)] = 0.0
            return float(((model.readout(s)[:, 0] > 0).float() == y).float().mean())

        full = accuracy([])
        top = np.argsort(-np.abs(r))[:m]
        rng = np.random.default_rng(seed)
        units = test_s.shape[1]
        random = [
            accuracy(rng.choice(units, m, replace=False)) for _ in range(settings.ablation_draws)
        ]
    return {"top": full - accuracy(top), "random": full - float(np.mean(random))}


OCCLUSION_SIGNALS = {"enhancers": "motif sites", "promoters": "TATA box"}
"""How tables and figures name each kind's planted signal."""


def attribution_table(runs: list[RegulatoryRun]) -> list[dict]:
    """Share of top-k occlusion positions on the planted signal, by kind of sequence and
    pooled, for each network and control, median (min-max) over seeds."""
    from coursepkg.viz.tables import spread

    rows = []
    for name in ("trained", "untrained", "shuffled sites"):
        row = {"network": name if name != "shuffled sites" else "trained, shuffled sites"}
        for kind in OCCLUDED:
            label = f"{kind}: on the {OCCLUSION_SIGNALS[kind]}"
            row[label] = spread([r.occlusion[kind][name] for r in runs])
        row["both kinds"] = spread([r.on_signal(name) for r in runs])
        rows.append(row)
    return rows


def ablation_table(runs: list[RegulatoryRun]) -> list[dict]:
    """Held-out accuracy lost by zeroing units, median (min-max) over seeds."""
    from coursepkg.viz.tables import spread

    return [
        {
            "units zeroed": "most correlated with the motif count",
            "accuracy lost": spread([r.ablation["top"] for r in runs]),
        },
        {
            "units zeroed": "random (mean of the draws)",
            "accuracy lost": spread([r.ablation["random"] for r in runs]),
        },
        {
            "units zeroed": "difference (paired)",
            "accuracy lost": spread([r.ablation["top"] - r.ablation["random"] for r in runs]),
        },
    ]


def correlation_table(runs: list[RegulatoryRun]) -> list[dict]:
    """One row per feature: the best unit's ``|r|``, trained and untrained, and the paired
    gain, as median (min-max) over seeds."""
    from coursepkg.viz.tables import spread

    rows = []
    for feature in FEATURE_CLASS:
        rows.append(
            {
                "feature": FEATURE_LABELS[feature],
                "trained": spread([r.best(feature) for r in runs]),
                "untrained": spread([r.best(feature, "untrained") for r in runs]),
                "trained - untrained": spread([r.gain(feature) for r in runs]),
            }
        )
    return rows


# --- 2. the fn3 family ----------------------------------------------------------------------

READS = ("before", "after")
"""The state just *before* a residue is read (it has read only the residues to its left and
must predict this one) and the state just *after* (it has read the residue too)."""


@dataclass
class FamilyRun:
    """One seed of the fn3 experiment: conservation and state divergence per column."""

    seed: int
    final_loss: float
    conservation: np.ndarray
    """``(C,)`` conservation of each well-occupied column (``1 - H / log 20``)."""
    divergence: dict
    """``{(network, read): (C,)}``: mean distance between the members' states at each
    column, over the mean distance between any two states of the family."""

    def spearman(self, network: str, read: str) -> float:
        """Rank correlation of conservation with state divergence."""
        return float(spearmanr(self.conservation, self.divergence[(network, read)])[0])


def column_divergence(
    model: ResidueLM, family: AlignedFamily, columns: np.ndarray, read: str
) -> np.ndarray:
    """Per column, how far apart the members' hidden states are (see :class:`FamilyRun`).

    ``read="after"``: the state that has just read the column's residue; ``"before"``:
    the state one step earlier, which has read only the residues to the left.
    """
    if read not in READS:
        raise ValueError(f"read must be one of {READS}, got {read!r}")
    members = list(range(len(family.sequences)))
    x, _ = encode_family(family.sequences)
    with torch.no_grad():
        states = model.states(x).numpy()  # (B, T, H): row t has read residues 1..t
    shift = 1 if read == "after" else 0
    per_residue = [states[m, shift : len(family.sequences[m]) + shift] for m in members]
    pooled = np.concatenate(per_residue)
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, len(pooled), (2, 4000))
    typical = np.linalg.norm(pooled[a] - pooled[b], axis=-1).mean()
    by_column = family.column_values(per_residue, members, columns)
    return np.array([mean_pairwise_distance(v) / typical for v in by_column])


def family_run(seed: int, settings: Settings = BOOK) -> FamilyRun:
    """Train a next-residue LSTM on every member of the fn3 seed; measure its states."""
    with torch_threads(1):
        family = AlignedFamily.from_biopython(real.fn3_seed())
        torch.manual_seed(derive(seed, "init"))
        model = ResidueLM(settings.family_hidden)
        untrained = copy.deepcopy(model)
        x, y = encode_family(family.sequences)

        def loss(logits, targets):
            return F.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE
            )

        history = fit(
            model,
            x,
            y,
            loss,
            epochs=settings.family_epochs,
            batch_size=16,
            lr=1e-2,
            seed=derive(seed, "batches"),
            progress=False,
        )
        model.eval()
        columns, conservation = family.conservation()
        divergence = {
            (name, read): column_divergence(net, family, columns, read)
            for name, net in (("trained", model), ("untrained", untrained))
            for read in READS
        }
    return FamilyRun(seed, history.train_loss[-1], conservation, divergence)


def family_table(runs: list[FamilyRun]) -> list[dict]:
    """Spearman(conservation, divergence) for each network and read, median (min-max)."""
    from coursepkg.viz.tables import spread

    return [
        {
            "state": f"{read} reading the residue",
            "trained": spread([r.spearman("trained", read) for r in runs]),
            "untrained": spread([r.spearman("untrained", read) for r in runs]),
            "trained - untrained": spread(
                [r.spearman("trained", read) - r.spearman("untrained", read) for r in runs]
            ),
        }
        for read in READS
    ]


# --- 3. twelve species -----------------------------------------------------------------------

TREE_METHODS = ("trained", "trained, NJ", "untrained", "k-mer")


@dataclass
class SpeciesRun:
    """One seed of the species experiment: the rebuilt trees and their distances."""

    seed: int
    final_loss: float
    true_tree: str
    trees: dict = field(repr=False)
    """``{method: Newick}`` for :data:`TREE_METHODS`."""
    rf: dict
    """``{method: normalised Robinson-Foulds distance to the true tree}``."""


def species_run(seed: int, settings: Settings = BOOK) -> SpeciesRun:
    """Train a next-nucleotide LSTM on the species' genomes (the first
    ``genome_train`` bases of each) and rebuild the tree from the rest."""
    with torch_threads(1):
        sim = simulate_species(
            settings.genome_train + settings.genome_test, settings.sigma, derive(seed, "genomes")
        )
        cut = settings.genome_train
        train = {n: g[:cut] for n, g in sim.genomes.items()}
        test = {n: g[cut:] for n, g in sim.genomes.items()}
        w = settings.window
        x = onehot_batch([g[i : i + w] for g in train.values() for i in range(0, cut - w + 1, w)])
        torch.manual_seed(derive(seed, "init"))
        model = NucleotideLM(settings.species_hidden)
        untrained = copy.deepcopy(model)
        history = fit(
            model,
            x,
            x,
            next_base_loss,
            epochs=settings.species_epochs,
            batch_size=32,
            lr=1e-2,
            seed=derive(seed, "batches"),
            progress=False,
        )
        model.eval()
        taxa = sim.tree.taxon_namespace
        names, trained_means = species_summaries(model, test, w)
        _, untrained_means = species_summaries(untrained, test, w)
        trees = {
            "trained": tree_from_profiles(trained_means, names, "average", taxa),
            "trained, NJ": tree_from_profiles(trained_means, names, "nj", taxa),
            "untrained": tree_from_profiles(untrained_means, names, "average", taxa),
            "k-mer": kmer_tree(test, settings.k, namespace=taxa),
        }
        rf = {method: robinson_foulds(tree, sim.tree)[1] for method, tree in trees.items()}
    return SpeciesRun(
        seed,
        history.train_loss[-1],
        sim.tree.as_string(schema="newick").strip(),
        {m: t.as_string(schema="newick").strip() for m, t in trees.items()},
        rf,
    )


def tree_table(runs: list[SpeciesRun]) -> list[dict]:
    """Normalised RF distance of each method's tree, median (min-max) over seeds."""
    from coursepkg.viz.tables import spread

    return [
        {"tree from": method, "RF / max (0 = the true tree)": spread([r.rf[method] for r in runs])}
        for method in TREE_METHODS
    ]


# --- all three, on two cores -------------------------------------------------------------------


@dataclass
class Study:
    """Every run of the chapter, seed by seed."""

    seeds: list
    regulatory: list
    family: list
    species: list

    def claims(self) -> dict:
        """``{claim_id: (values, seeds)}`` for every claim of the chapter."""
        reg, fam, sp = self.regulatory, self.family, self.species
        per_seed = {
            "ch07.classifier_accuracy": [r.accuracy for r in reg],
            "ch07.units_count_motifs": [r.gain("motif_count") for r in reg],
            "ch07.units_tata": [r.gain("tata_count") for r in reg],
            "ch07.tata_position": [r.probe_shift["trained"] for r in reg],
            "ch07.units_spacing_not_learned": [r.gain("spacing") for r in reg],
            "ch07.units_cpg_untrained": [r.best("cpg_density", "untrained") for r in reg],
            "ch07.family_after_agrees": [f.spearman("trained", "after") for f in fam],
            "ch07.family_after_untrained": [
                f.spearman("untrained", "after") - f.spearman("trained", "after") for f in fam
            ],
            "ch07.family_before_learned": [
                f.spearman("trained", "before") - f.spearman("untrained", "before") for f in fam
            ],
            "ch07.occlusion_on_signals": [
                r.on_signal("trained") - r.on_signal("untrained") for r in reg
            ],
            "ch07.occlusion_beats_shuffle": [
                r.on_signal("trained") - r.on_signal("shuffled sites") for r in reg
            ],
            "ch07.ablation_top_units": [r.ablation["top"] - r.ablation["random"] for r in reg],
            "ch07.tree_rebuilt": [s.rf["trained"] for s in sp],
            "ch07.tree_needs_training": [s.rf["untrained"] - s.rf["trained"] for s in sp],
            "ch07.tree_beside_kmer": [s.rf["trained"] - s.rf["k-mer"] for s in sp],
        }
        return {cid: (values, list(self.seeds)) for cid, values in per_seed.items()}


def run(seeds: list[int], settings: Settings = BOOK, processes: int = 2) -> Study:
    """Every seed of the three experiments, started together on ``processes`` cores."""
    futures = {
        name: submit_seeds(fn, seeds, processes, settings=settings)
        for name, fn in (
            ("regulatory", regulatory_run),
            ("family", family_run),
            ("species", species_run),
        )
    }
    results = {name: [f.result() for f in fs] for name, fs in futures.items()}
    return Study(list(seeds), results["regulatory"], results["family"], results["species"])
