"""Public checks of hw06's TRPO pieces (``trpo.py``): conjugate gradient from matrix-vector products only, the
categorical KL, the Fisher-vector product by double backpropagation, the scaled natural step and the
backtracking line search. Every expected number below is worked out by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from grader.harness.calls import beside
from grader.harness.trust_region import softmax_fisher_products
from grader.harness.validate import as_tensor_array

A_SPD = torch.tensor([[4.0, 1.0], [1.0, 3.0]], dtype=torch.float64)


class CountingProduct:
    """v ↦ M v for a fixed matrix M (the only access CG gets to it), counting the calls."""

    def __init__(self, matrix: torch.Tensor) -> None:
        self.matrix, self.calls = matrix, 0

    def __call__(self, v: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        return self.matrix @ torch.as_tensor(v, dtype=self.matrix.dtype)


@pytest.mark.points(4)
@pytest.mark.timeout(20)
def test_conjugate_gradient_two_products(impl):
    """CG: A = [[4,1],[1,3]], b = [1,2] → x = [1/11, 7/11] = [0.0909, 0.6364] after exactly 2 products A·v"""
    cg = impl.attr("trpo", "conjugate_gradient")
    b = torch.tensor([1.0, 2.0], dtype=torch.float64)
    product = CountingProduct(A_SPD)
    x = as_tensor_array(cg(product, b.clone(), 10, 1e-10), "conjugate_gradient(mvp, b, 10)", (2,))
    assert np.allclose(x, [1 / 11, 7 / 11], atol=1e-8), (
        f"conjugate_gradient on A = [[4, 1], [1, 3]], b = [1, 2] returned {np.round(x, 6).tolist()}; expected A⁻¹b = "
        "[1/11, 7/11] = [0.090909, 0.636364]: CG solves an n × n system in n iterations (update rᵀr every iteration)"
    )
    assert product.calls == 2, (
        f"conjugate_gradient called mvp {product.calls} times; expected 2: none for x0 = 0 (r = b), one per "
        "iteration, and the residual rᵀr ≈ 0 after the 2nd stops it (residual_tol = 1e-10)"
    )
    one = CountingProduct(A_SPD)
    x1 = as_tensor_array(cg(one, b.clone(), 1, 1e-10), "conjugate_gradient(mvp, b, 1)", (2,))
    # one iteration: α = bᵀb / bᵀAb = 5 / 20, x = α b = [0.25, 0.5]
    assert one.calls == 1 and np.allclose(x1, [0.25, 0.5], atol=1e-8), (
        f"conjugate_gradient(mvp, b, iters=1) returned {np.round(x1, 6).tolist()} after {one.calls} product(s); "
        "expected [0.25, 0.5] after 1 (α = bᵀb / bᵀAb = 5/20, x = α b)"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_categorical_kl(impl):
    """categorical_kl: KL([.5,.5] ‖ [.9,.1]) = 0.5108, KL(p ‖ p) = 0, one value per row"""
    kl = impl.attr("trpo", "categorical_kl")
    p = torch.log(torch.tensor([[0.5, 0.5], [0.2, 0.8]]))
    q = torch.log(torch.tensor([[0.9, 0.1], [0.2, 0.8]])) + 3.0  # logits: a constant shift changes nothing
    got = as_tensor_array(kl(p, q), "categorical_kl(p_logits, q_logits)", (2,))
    want = 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1)
    assert np.allclose(got, [want, 0.0], atol=1e-5), (
        f"categorical_kl = {np.round(got, 6).tolist()}; expected [{want:.6f}, 0]: KL(p ‖ q) = Σ p (log p − log q) "
        "with p = softmax(p_logits), q = softmax(q_logits), per row; the reverse KL(q ‖ p) gives 0.3681"
    )


def softmax_fvp(impl, v, damping: float) -> np.ndarray:
    """(F + damping I) v for KL(softmax(θ_old) ‖ softmax(θ)) at θ = θ_old = 0 (2 logits), built beside your code."""
    fvp = impl.attr("trpo", "fisher_vector_product")
    out = beside(fvp, softmax_fisher_products, fvp, impl.attr("trpo", "categorical_kl"), np.zeros((1, 2), np.float32),
                 [np.asarray(v, np.float32)], damping)  # fmt: skip
    assert type(out) is list and len(out) == 1, "fisher_vector_product's result came back malformed"
    return as_tensor_array(out[0], "fisher_vector_product(...)", (2,))


@pytest.mark.points(4)
@pytest.mark.timeout(20)
def test_fisher_vector_product_softmax(impl):
    """FVP by double backprop: 2-logit softmax at θ = 0 → F = [[.25, −.25], [−.25, .25]]; damping adds 0.1·v"""
    columns = np.stack([softmax_fvp(impl, v, 0.0) for v in ([1.0, 0.0], [0.0, 1.0])], axis=1)
    want = np.array([[0.25, -0.25], [-0.25, 0.25]])  # F = diag(p) − p pᵀ with p = [½, ½]
    assert np.allclose(columns, want, atol=1e-6), (
        f"F = [F e1, F e2] = {np.round(columns, 6).tolist()}; expected diag(p) − ppᵀ = {want.tolist()} for p = "
        "[½, ½]. The first gradient needs create_graph=True, or the second derivative is lost"
    )
    damped = softmax_fvp(impl, [1.0, 2.0], 0.1)
    assert np.allclose(damped, [0.25 - 0.5 + 0.1, -0.25 + 0.5 + 0.2], atol=1e-6), (
        f"fisher_vector_product(..., v = [1, 2], damping = 0.1) = {np.round(damped, 6).tolist()}; expected "
        "F v + 0.1 v = [−0.15, 0.45] (damping keeps F + λI invertible: this F is singular)"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_natural_step_meets_the_kl_bound(impl):
    """natural_step: F = diag(4, 1), g = [1, 1], δ = 0.01 → s = [.25, 1], β = sqrt(0.02 / 1.25), ½ βs F βs = δ"""
    step_fn = impl.attr("trpo", "natural_step")
    product = CountingProduct(torch.diag(torch.tensor([4.0, 1.0], dtype=torch.float64)))
    got = as_tensor_array(
        step_fn(torch.tensor([1.0, 1.0], dtype=torch.float64), product, 0.01, 10), "natural_step(...)", (2,)
    )
    beta = math.sqrt(0.02 / 1.25)
    want = np.array([0.25 * beta, beta])
    assert np.allclose(got, want, atol=1e-7), (
        f"natural_step = {np.round(got, 7).tolist()}; expected β s = {np.round(want, 7).tolist()}: s = F⁻¹g = [0.25, "
        "1] by conjugate gradient, β = sqrt(2δ / sᵀFs) = sqrt(0.02 / 1.25) (sᵀs in place of sᵀFs gives "
        f"{np.round(np.array([0.25, 1.0]) * math.sqrt(0.02 / 1.0625), 7).tolist()})"
    )
    quadratic = 0.5 * float(got @ np.diag([4.0, 1.0]) @ got)
    assert abs(quadratic - 0.01) < 1e-8, f"½ stepᵀ F step = {quadratic:.8f}; the full step must reach δ = 0.01"


@pytest.mark.points(4)
@pytest.mark.timeout(20)
def test_line_search_rejects_kl_violations_and_non_improvements(impl):
    """line search: first of 1, ½, ¼, … with KL ≤ δ AND a better surrogate; else stay where it was"""
    search = impl.attr("trpo", "line_search")

    def run(surrogate, kl, max_kl, backtracks=10):
        out = search(surrogate, kl, torch.tensor([0.0]), torch.tensor([1.0]), max_kl, backtracks)
        assert type(out) is tuple and len(out) == 2, "line_search must return (x, accepted)"
        return float(as_tensor_array(out[0], "line_search's x", (1,))[0]), out[1]

    # L(x) = −(x − 0.3)², KL(x) = x², δ = 0.05: x = 1, ½, ¼ break the KL bound (1, .25, .0625); ⅛ keeps it and
    # L(⅛) = −0.030625 > L(0) = −0.09. Ignoring the KL would accept ½ (L = −0.04 > −0.09).
    x, ok = run(lambda x: float(-((x - 0.3) ** 2).sum()), lambda x: float((x**2).sum()), 0.05)
    assert abs(x - 0.125) < 1e-9 and ok is True, (
        f"line_search(L = −(x − 0.3)², KL = x², δ = 0.05, from 0, full step 1) = ({x}, {ok}); expected (0.125, True): "
        "the first fraction 1, ½, ¼, ⅛ with KL ≤ δ and L(x_k) > L(0)"
    )
    # L(x) = −x: every step makes it worse; KL = 0 everywhere: nothing may be accepted.
    x, ok = run(lambda x: float(-x.sum()), lambda x: 0.0, 0.05)
    assert x == 0.0 and ok is False, (
        f"line_search with a surrogate that every step lowers returned ({x}, {ok}); expected (0.0, False): a step "
        "must improve the surrogate, else the parameters stay"
    )
    # KL = x², δ = 1e-6: the KL holds from k = 10 on (0.5¹⁰ = 0.000977): 10 backtracks (k = 0 … 9) find none.
    improving = lambda x: float(x.sum())  # noqa: E731
    x, ok = run(improving, lambda x: float((x**2).sum()), 1e-6, 10)
    assert x == 0.0 and ok is False, (
        f"line_search with max_backtracks = 10 returned ({x}, {ok}); only x = 0.5**10 (the 11th try) keeps KL ≤ 1e-6: "
        "expected (0.0, False) — try k = 0, …, max_backtracks − 1"
    )
    x, ok = run(improving, lambda x: float((x**2).sum()), 1e-6, 11)
    assert abs(x - 0.5**10) < 1e-12 and ok is True, (
        f"line_search with max_backtracks = 11 returned ({x}, {ok}); expected (0.5**10, True)"
    )
