"""Plausible wrong implementations of ``jacobian_norms`` and ``decay_rate``."""

from tests.exercises.mistakes import Mistake

MISTAKES = [
    Mistake(
        "norms indexed in reverse",
        "        norms[t] = torch.linalg.matrix_norm(J, ord=2)",
        "        norms[T - 1 - t] = torch.linalg.matrix_norm(J, ord=2)",
        blames=("jacobian_norms",),
        forbidden=("norms[t] =", "T - 1 - t"),
    ),
    Mistake(
        "Frobenius instead of spectral norm",
        "torch.linalg.matrix_norm(J, ord=2)",
        "torch.linalg.matrix_norm(J)",
        blames=("jacobian_norms",),
        forbidden=("ord=2", "matrix_norm(J, ord"),
    ),
    Mistake(
        "tanh derivative forgotten",
        "J = J @ ((1 - h[t + 1] ** 2).unsqueeze(1) * W_h)",
        "J = J @ W_h",
        blames=("jacobian_norms",),
        forbidden=("1 - h", "diag(1", "1 - tanh", "tanh'", "derivative of tanh", "h_s^2", "h^2"),
    ),
    Mistake(
        "Jacobian factors in the wrong order",
        "J = J @ ((1 - h[t + 1] ** 2).unsqueeze(1) * W_h)",
        "J = ((1 - h[t + 1] ** 2).unsqueeze(1) * W_h) @ J",
        blames=("jacobian_norms",),
        forbidden=("J = J @", "J @ (", "right-multiply", "on the right"),
    ),
    Mistake(
        "x_t read from row t instead of t - 1",
        "W_x @ x[t - 1] + b",
        "W_x @ x[min(t, T - 1)] + b",
        blames=("jacobian_norms",),
        forbidden=("x[t - 1]",),
    ),
    Mistake(
        "slope against t instead of T - t",
        "k = len(norms) - np.arange(len(norms))",
        "k = np.arange(len(norms))",
        blames=("decay_rate",),
        forbidden=("len(norms) -", "not against t", "np.arange"),
    ),
    Mistake(
        "slope of the norms instead of their logarithm",
        "np.polyfit(k, np.log(norms), 1)",
        "np.polyfit(k, norms, 1)",
        blames=("decay_rate",),
        forbidden=("np.log(norms)", "polyfit(k, np.log"),
    ),
]
