"""Chapter 7's claims, and :func:`measure`, which re-measures them on a block of seeds.

Every claim is a statistic over the seeds of :func:`~.experiments.run`; a comparison with
the untrained control is paired, seed by seed (the same network, the same initial
weights, the same sequences). The values come from :meth:`~.experiments.Study.claims`,
which the notebook records too.
"""

from __future__ import annotations

from coursepkg.claims import Claim

CLAIMS = [
    # --- promoters and enhancers ----------------------------------------------------------
    Claim(
        "ch07.classifier_accuracy",
        "The bidirectional LSTM tells held-out promoters from enhancers.",
        "held-out accuracy (chance 0.5)",
        ">=",
        0.8,
        over="median",
    ),
    Claim(
        "ch07.units_count_motifs",
        "Among enhancers, some unit of the trained network tracks how many motifs the "
        "sequence holds, more closely than any unit of the same network untrained.",
        "best unit's |r| with the motif count (held-out enhancers), trained minus untrained",
        ">=",
        0.1,
        over="median",
    ),
    Claim(
        "ch07.units_tata",
        "Among enhancers, the trained network's best unit tracks the TATA boxes more "
        "closely than the untrained network's in most training runs, not in all.",
        "best unit's |r| with the number of TATA boxes (held-out enhancers), trained minus "
        "untrained; a seed counts when it is at least 0.05",
        ">=",
        0.05,
        over="k_of_n",
        k=2,
    ),
    Claim(
        "ch07.tata_position",
        "The trained network cares where the TATA box is: the same box at the promoters' "
        "TATA position makes a sequence look more like a promoter than elsewhere.",
        "mean change of the logit, box at the TATA position minus box elsewhere (paired, "
        "held-out enhancers)",
        ">=",
        0.1,
        over="median",
    ),
    Claim(
        "ch07.units_spacing_not_learned",
        "No unit tracks the spacing between an enhancer's motifs much better than the "
        "untrained network's units do.",
        "best unit's |r| with the mean motif spacing (held-out enhancers), trained minus untrained",
        "<=",
        0.15,
        over="median",
    ),
    Claim(
        "ch07.units_cpg_untrained",
        "CpG density is tracked even by the untrained network: a feature of composition "
        "needs no training to show up in some unit.",
        "best unit's |r| with the CpG density (held-out promoters), untrained network",
        ">=",
        0.35,
        over="median",
    ),
    Claim(
        "ch07.occlusion_on_signals",
        "The bases whose occlusion moves the trained network's logit most lie on the signals "
        "we planted (an enhancer's motif sites, a promoter's TATA box) far more often than "
        "the untrained network's do.",
        "share of each held-out sequence's top-6 occlusion positions on its planted signal, "
        "mean of enhancers and promoters, trained minus untrained (paired)",
        ">=",
        0.1,
        over="median",
    ),
    Claim(
        "ch07.occlusion_beats_shuffle",
        "The trained network's top occlusion positions fall on the planted signals far more "
        "often than on the same bases shuffled along the sequence.",
        "share of top-6 occlusion positions on the planted signal (mean of enhancers and "
        "promoters), true positions minus shuffled positions",
        ">=",
        0.1,
        over="median",
    ),
    Claim(
        "ch07.ablation_top_units",
        "Zeroing the four units that track the motif count most closely costs no more "
        "held-out accuracy than zeroing four random units: almost none.",
        "held-out accuracy lost, top-4 motif-count units minus four random units (paired)",
        "<=",
        0.02,
        over="median",
    ),
    # --- the fn3 family ---------------------------------------------------------------------
    Claim(
        "ch07.family_after_agrees",
        "Once they have read a column's residue, the members' hidden states lie closer "
        "together where the column is conserved.",
        "Spearman(conservation, state divergence after reading the residue), trained",
        "<=",
        -0.25,
        over="median",
    ),
    Claim(
        "ch07.family_after_untrained",
        "The untrained network shows that pattern even more strongly: it mostly says that "
        "the residues are the same.",
        "Spearman after reading the residue, untrained minus trained",
        "<=",
        -0.15,
        over="median",
    ),
    Claim(
        "ch07.family_before_learned",
        "Before reading the residue, only the trained network's states agree more at "
        "conserved columns: what they share there is the prediction, which training made.",
        "Spearman(conservation, state divergence before reading the residue), trained "
        "minus untrained",
        "<=",
        -0.1,
        over="median",
    ),
    # --- twelve species ---------------------------------------------------------------------
    Claim(
        "ch07.tree_rebuilt",
        "Average linkage on the species' mean hidden states rebuilds a good part of the "
        "true species tree.",
        "Robinson-Foulds distance to the true tree over its maximum 2(n - 3), trained LSTM",
        "<=",
        0.6,
        over="median",
    ),
    Claim(
        "ch07.tree_needs_training",
        "The same network untrained rebuilds a far worse tree.",
        "normalised RF distance, untrained minus trained",
        ">=",
        0.2,
        over="median",
    ),
    Claim(
        "ch07.tree_beside_kmer",
        "The trained network's tree is about as close to the truth as the k-mer baseline's, "
        "or a little further (a few of the eighteen splits at most).",
        "normalised RF distance, trained LSTM minus 3-mer frequencies",
        "<=",
        0.3,
        over="median",
    ),
]


def measure(seed_base: int) -> dict:
    """Every claim of the chapter, measured as the notebook measures it, from ``seed_base``."""
    from coursepkg.chapters.ch07_hidden_state_learns import experiments as ex

    return ex.run(ex.seeds(seed_base)).claims()
