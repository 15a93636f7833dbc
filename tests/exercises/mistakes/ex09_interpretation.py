"""Plausible wrong implementations of ``ism_scores``."""

from tests.exercises.mistakes import Mistake

SCORES = (
    "    scores = (logits - reference).reshape(L, 4)\n"
    "    scores[x != 0] = 0.0  # the reference base: no substitution, no change\n"
)

MISTAKES = [
    Mistake(
        "scores centred on each position's mean (not zero at the reference base)",
        SCORES,
        "    scores = logits.reshape(L, 4)\n"
        "    scores = scores - scores.mean(dim=1, keepdim=True)\n",
        blames=("ism_scores",),
        forbidden=("logits - reference", "x != 0"),
    ),
    Mistake(
        "the mutants' logits instead of their change",
        SCORES,
        "    scores = logits.reshape(L, 4)\n",
        blames=("ism_scores",),
        forbidden=("logits - reference", "x != 0"),
    ),
    Mistake(
        "probabilities instead of logits",
        "        reference = model(x.unsqueeze(0))  # (1,)\n"
        "        logits = model(mutants)  # (4L,)\n",
        "        reference = torch.sigmoid(model(x.unsqueeze(0)))\n"
        "        logits = torch.sigmoid(model(mutants))\n",
        blames=("ism_scores",),
        forbidden=("torch.sigmoid", "without the sigmoid", "remove the sigmoid"),
    ),
    Mistake(
        "sign flipped (reference minus mutant)",
        "scores = (logits - reference).reshape(L, 4)",
        "scores = (reference - logits).reshape(L, 4)",
        blames=("ism_scores",),
        forbidden=("logits - reference", "reference - logits"),
    ),
    Mistake(
        "substitutions written to the wrong channels (T, G, C, A)",
        "mutants[4 * i : 4 * i + 4, i] = torch.eye(4, dtype=x.dtype)",
        "mutants[4 * i : 4 * i + 4, i] = torch.eye(4, dtype=x.dtype).flip(0)",
        blames=("ism_scores",),
        forbidden=("flip", "torch.eye"),
    ),
    Mistake(
        "model switched to training mode (dropout active)",
        "model.eval()  # predictions: no dropout, the same logit for the same input",
        "model.train()",
        blames=("ism_scores",),
        forbidden=("model.eval()", ".eval("),
    ),
    Mistake(
        "gradient-based saliency instead of in silico mutagenesis",
        "    mutants = x.repeat(4 * L, 1, 1)  # (4L, L, 4)\n"
        "    for i in range(L):\n"
        "        mutants[4 * i : 4 * i + 4, i] = torch.eye(4, dtype=x.dtype)\n"
        "    with torch.no_grad():\n"
        "        reference = model(x.unsqueeze(0))  # (1,)\n"
        "        logits = model(mutants)  # (4L,)\n"
        "    scores = (logits - reference).reshape(L, 4)\n"
        "    scores[x != 0] = 0.0  # the reference base: no substitution, no change\n",
        "    x = x.clone().requires_grad_(True)\n"
        "    (grad,) = torch.autograd.grad(model(x.unsqueeze(0)).sum(), x)\n"
        "    scores = (grad - (grad * x).sum(dim=1, keepdim=True)).detach()\n",
        blames=("ism_scores",),
        forbidden=("x.repeat", "torch.no_grad", "logits - reference"),
    ),
]
