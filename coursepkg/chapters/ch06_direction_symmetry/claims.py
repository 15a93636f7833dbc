"""Chapter 6's claims, and :func:`measure`, which re-measures them on a block of seeds.

Every claim about a trained model is measured on :data:`~.experiments.N_SEEDS` seeds; a
comparison between two models is paired, seed by seed (both trained on that seed's data).
The helpers below turn the experiments' results into one value per seed, and the notebook
records exactly these values.
"""

from __future__ import annotations

from coursepkg.claims import Claim

CLAIMS = [
    # --- direction -----------------------------------------------------------------------
    Claim(
        "ch06.splice_learned",
        "A forward LSTM trained 5'→3' on the primate splice junctions classifies held-out "
        "junctions well.",
        "held-out accuracy on the splice junctions (3 classes), input as given",
        ">=",
        0.75,
        over="median",
    ),
    Claim(
        "ch06.splice_reversal_drop",
        "Read backwards, the same junctions lose most of what the model knew.",
        "accuracy as given minus accuracy reversed (paired, same model and junctions)",
        ">=",
        0.25,
        over="median",
    ),
    Claim(
        "ch06.splice_reversed_no_better_than_guessing",
        "On reversed junctions the model does no better than always naming the commonest class.",
        "accuracy on reversed junctions minus the commonest class's share",
        "<=",
        0.02,
        over="median",
    ),
    Claim(
        "ch06.promoter_reversal_drop",
        "On the simulated promoter-and-gene task the drop is larger still.",
        "accuracy as given minus accuracy reversed (paired)",
        ">=",
        0.5,
        over="median",
    ),
    Claim(
        "ch06.promoter_reversed_below_chance",
        "Reversed, a gene looks like a decoy and a decoy like a gene, so the forward model "
        "falls below chance.",
        "accuracy on reversed sequences (chance 0.5)",
        "<=",
        0.3,
        over="median",
    ),
    # --- both directions -------------------------------------------------------------------
    Claim(
        "ch06.alignment_exact",
        "In a bidirectional LSTM the forward half of the state at t depends exactly on "
        "bases 0..t and the backward half exactly on bases t..L-1.",
        "entries where the measured dependence differs from that rule",
        "==",
        0,
        fmt=".0f",
    ),
    Claim(
        "ch06.bidirectional_gain_over_forward",
        "Labelling the bases of a site needs both sides: the bidirectional LSTM beats the "
        "forward one on every seed.",
        "per-base accuracy, bidirectional minus forward (paired)",
        ">=",
        0.05,
        over="every",
    ),
    Claim(
        "ch06.bidirectional_gain_over_backward",
        "It beats the backward one on every seed too.",
        "per-base accuracy, bidirectional minus backward (paired)",
        ">=",
        0.05,
        over="every",
    ),
    # --- strands ---------------------------------------------------------------------------
    Claim(
        "ch06.strand_plain_disagrees",
        "Trained on sites from one strand, a plain model gives a site's bases one label on "
        "that strand and another on the other.",
        "share of site bases whose label changes with the strand, plain model",
        ">=",
        0.5,
        over="median",
    ),
    Claim(
        "ch06.strand_augmentation_reduces",
        "Reverse-complement augmentation removes most of that disagreement, on every seed.",
        "disagreement of the plain model minus that of the augmented one (paired)",
        ">=",
        0.4,
        over="every",
    ),
    Claim(
        "ch06.strand_symmetric_exact",
        "A strand-symmetric model (one network reading both strands) never disagrees with itself.",
        "share of site bases whose label changes with the strand, strand-symmetric model",
        "==",
        0,
        over="every",
    ),
    Claim(
        "ch06.strand_symmetric_finds_other_strand",
        "Trained on the same one-strand data, the strand-symmetric model also finds the "
        "sites on the other strand: it is more accurate than the plain model.",
        "per-base accuracy on both strands, strand-symmetric minus plain (paired)",
        ">=",
        0.04,
        over="median",
    ),
    # --- simulated circles -----------------------------------------------------------------
    Claim(
        "ch06.circle_linear_origin_drop",
        "On simulated circles the linear baseline is worse just after the cut than elsewhere.",
        "linear baseline: accuracy elsewhere minus accuracy on the 20 bases after the cut",
        ">=",
        0.1,
        over="median",
    ),
    Claim(
        "ch06.circle_methods_fix_origin",
        "Both circular methods repair the bases after the cut.",
        "accuracy on the 20 bases after the cut, the worse circular method minus the linear "
        "baseline (paired)",
        ">=",
        0.1,
        over="median",
    ),
    Claim(
        "ch06.circle_linear_not_equivariant",
        "Cut the circle elsewhere and the linear baseline changes its answers.",
        "linear baseline: largest change of a base's probability, mean over circles and cuts",
        ">=",
        0.3,
        over="median",
    ),
    Claim(
        "ch06.circle_methods_equivariant",
        "The two-pass and duplication methods give (almost) the same answers wherever the "
        "circle is cut.",
        "largest change of a base's probability, mean over circles and cuts, the worse of "
        "the two circular methods",
        "<=",
        0.05,
        over="every",
        fmt=".4f",
    ),
    # --- real circular genomes ------------------------------------------------------------
    Claim(
        "ch06.genome_linear_not_equivariant",
        "On PhiX174 and pPCP1 the linear baseline's answers near the cut change with the cut.",
        "linear baseline: largest change of a base's probability, mean over cuts, the "
        "smaller of the two genomes",
        ">=",
        0.2,
        over="median",
    ),
    Claim(
        "ch06.genome_methods_equivariant",
        "Run by either circular method, the same network gives the same answer for every "
        "base of both genomes wherever they are cut.",
        "largest change of a base's probability, mean over cuts, worst of two methods and "
        "two genomes",
        "<=",
        0.001,
        over="every",
        fmt=".1e",
    ),
    Claim(
        "ch06.genome_phix174_origin_gain",
        "On PhiX174 both circular methods are more accurate next to the cut than the linear "
        "baseline.",
        "PhiX174: accuracy within 10 bases of the cut (24 random cuts), the worse circular "
        "method minus the linear baseline (paired)",
        ">=",
        0.05,
        over="median",
    ),
    Claim(
        "ch06.genome_ppcp1_origin_gain",
        "So they are on pPCP1.",
        "pPCP1: accuracy within 10 bases of the cut (24 random cuts), the worse circular "
        "method minus the linear baseline (paired)",
        ">=",
        0.05,
        over="median",
    ),
]

CIRCULAR = ("two_pass", "duplication")


# --- one value per seed, shared by the notebook and measure() ------------------------------


def splice_learned(runs) -> list[float]:
    return [r.forward_accuracy for r in runs]


def reversal_drop(runs) -> list[float]:
    return [r.drop for r in runs]


def reversed_over_guessing(runs) -> list[float]:
    return [r.reversed_accuracy - r.chance for r in runs]


def reversed_accuracy(runs) -> list[float]:
    return [r.reversed_accuracy for r in runs]


def bidirectional_gain(runs, over: str) -> list[float]:
    return [r.gain(over) for r in runs]


def strand_disagreement(runs, row: str) -> list[float]:
    return [r.disagreement[row] for r in runs]


def augmentation_reduction(runs) -> list[float]:
    return [r.reduction() for r in runs]


def symmetric_accuracy_gain(runs) -> list[float]:
    return [r.accuracy["symmetric"] - r.accuracy["plain"] for r in runs]


def linear_origin_drop(runs) -> list[float]:
    return [r.scores["linear"].elsewhere - r.scores["linear"].near for r in runs]


def circle_origin_gain(runs) -> list[float]:
    return [min(r.near_gain(m) for m in CIRCULAR) for r in runs]


def circle_equivariance(runs, methods=CIRCULAR) -> list[float]:
    return [max(r.scores[m].equivariance for m in methods) for r in runs]


def genome_linear_equivariance(runs) -> list[float]:
    return [min(s["linear"].equivariance for s in r.scores.values()) for r in runs]


def genome_circular_equivariance(runs) -> list[float]:
    return [max(s[m].equivariance for s in r.scores.values() for m in CIRCULAR) for r in runs]


def genome_origin_gain(runs, genome: str) -> list[float]:
    return [min(r.near_gain(genome, m) for m in CIRCULAR) for r in runs]


def measure(seed_base: int) -> dict:
    """Every claim of the chapter, measured as the notebook measures it, from ``seed_base``."""
    from coursepkg.chapters.ch06_direction_symmetry import experiments as ex

    seeds = ex.seeds(seed_base)
    splice, promoter = ex.reversal(seeds, "splice"), ex.reversal(seeds, "promoter")
    directions, strands = ex.directions(seeds), ex.strands(seeds)
    circles, genomes = ex.circles(seeds), ex.genomes(seeds)
    per_seed = {
        "ch06.splice_learned": splice_learned(splice),
        "ch06.splice_reversal_drop": reversal_drop(splice),
        "ch06.splice_reversed_no_better_than_guessing": reversed_over_guessing(splice),
        "ch06.promoter_reversal_drop": reversal_drop(promoter),
        "ch06.promoter_reversed_below_chance": reversed_accuracy(promoter),
        "ch06.bidirectional_gain_over_forward": bidirectional_gain(directions, "forward"),
        "ch06.bidirectional_gain_over_backward": bidirectional_gain(directions, "backward"),
        "ch06.strand_plain_disagrees": strand_disagreement(strands, "plain"),
        "ch06.strand_augmentation_reduces": augmentation_reduction(strands),
        "ch06.strand_symmetric_exact": strand_disagreement(strands, "symmetric"),
        "ch06.strand_symmetric_finds_other_strand": symmetric_accuracy_gain(strands),
        "ch06.circle_linear_origin_drop": linear_origin_drop(circles),
        "ch06.circle_methods_fix_origin": circle_origin_gain(circles),
        "ch06.circle_linear_not_equivariant": circle_equivariance(circles, ("linear",)),
        "ch06.circle_methods_equivariant": circle_equivariance(circles),
        "ch06.genome_linear_not_equivariant": genome_linear_equivariance(genomes),
        "ch06.genome_methods_equivariant": genome_circular_equivariance(genomes),
        "ch06.genome_phix174_origin_gain": genome_origin_gain(genomes, "phix174"),
        "ch06.genome_ppcp1_origin_gain": genome_origin_gain(genomes, "ppcp1"),
    }
    measured: dict = {cid: (values, seeds) for cid, values in per_seed.items()}
    measured["ch06.alignment_exact"] = ex.measured_alignment().mismatches
    return measured
