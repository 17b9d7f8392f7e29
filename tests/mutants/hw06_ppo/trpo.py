"""Known bugs of hw06's TRPO (``trpo.py``; bug catalog "TRPO" TR1–TR5, and the agent's own: a critic that never
learns, the surrogate's sign). TR7 (flat parameters unflattened in another order) has no place here: the reference
and the README use torch's ``parameters_to_vector`` / ``vector_to_parameters`` on ``net.actor_parameters()``, one
order for both directions. A KL measured against the moving policy (π_old's logits recomputed, so the line search
sees KL = 0) was tried and is not caught: on the checks' rollouts the full step β s already keeps the true KL under
δ (at δ = 0.005 and 0.05), so the line search never needs to backtrack there; the public line-search check carries
the KL test itself.
"""

from grader.mutants import Mutant

_A = "hw06_ppo"
_F = "trpo.py"
_TRUST = "test_hidden_trpo_update_respects_the_trust_region"

MUTANTS = [
    Mutant(
        id="TR1-cg-residual-not-updated",
        assignment=_A,
        description="TR1: CG keeps the first rᵀr in β = r_newᵀr_new / rᵀr, so it does not converge in n steps",
        file=_F,
        old="        p = r + (rr_new / rr) * p\n        rr = rr_new\n",
        new="        p = r + (rr_new / rr) * p\n",
        killed_by=("test_conjugate_gradient_two_products", "test_hidden_conjugate_gradient_random_system"),
    ),
    Mutant(
        id="TR1-cg-extra-product",
        assignment=_A,
        description="CG recomputes the residual b − A x with an extra product every iteration (2 per iteration)",
        file=_F,
        old="        r = r - alpha * ap\n",
        new="        r = b - mvp(x)\n",
        killed_by=("test_conjugate_gradient_two_products",),
    ),
    Mutant(
        id="TR2-fvp-without-create-graph",
        assignment=_A,
        description="TR2: the first gradient of the KL without create_graph=True: no second derivative",
        file=_F,
        old="    grads = torch.autograd.grad(kl(), params, create_graph=True)\n",
        new="    grads = torch.autograd.grad(kl(), params, retain_graph=True)\n",
        killed_by=("test_fisher_vector_product_softmax", "test_hidden_fisher_vector_product_batch", _TRUST),
    ),
    Mutant(
        id="TR3-fvp-without-damping",
        assignment=_A,
        description="TR3: damping ignored: F v instead of (F + λ I) v",
        file=_F,
        old="    return torch.cat([h.reshape(-1) for h in hv]) + damping * v\n",
        new="    return torch.cat([h.reshape(-1) for h in hv])\n",
        killed_by=("test_fisher_vector_product_softmax", "test_hidden_fisher_vector_product_batch"),
    ),
    Mutant(
        id="TR4-step-scaled-by-sts",
        assignment=_A,
        description="TR4: β = sqrt(2δ / sᵀs) instead of sqrt(2δ / sᵀFs)",
        file=_F,
        old="    beta = torch.sqrt(2.0 * max_kl / torch.dot(s, fvp(s)))\n",
        new="    beta = torch.sqrt(2.0 * max_kl / torch.dot(s, s))\n",
        killed_by=("test_natural_step_meets_the_kl_bound", "test_hidden_natural_step_random"),
    ),
    Mutant(
        id="TR4-step-not-scaled",
        assignment=_A,
        description="TR4: the CG direction s used as the full step (β missing)",
        file=_F,
        old="    return beta * s\n",
        new="    return s\n",
        killed_by=("test_natural_step_meets_the_kl_bound", "test_hidden_natural_step_random"),
    ),
    Mutant(
        id="TR5-line-search-ignores-kl",
        assignment=_A,
        description="TR5: the line search accepts steps that break the KL bound",
        file=_F,
        old="        if kl(candidate) <= max_kl and surrogate(candidate) > start:\n",
        new="        if surrogate(candidate) > start:\n",
        killed_by=("test_line_search_rejects_kl_violations_and_non_improvements",),
    ),
    Mutant(
        id="TR5-line-search-accepts-no-improvement",
        assignment=_A,
        description="TR5: the line search accepts the first step within the KL bound, improving or not",
        file=_F,
        old="        if kl(candidate) <= max_kl and surrogate(candidate) > start:\n",
        new="        if kl(candidate) <= max_kl:\n",
        killed_by=("test_line_search_rejects_kl_violations_and_non_improvements",),
    ),
    Mutant(
        id="TR5-line-search-keeps-last-try",
        assignment=_A,
        description="the line search returns its last (smallest) try instead of the old parameters when none qualifies",
        file=_F,
        old="    return x, False\n",
        new="    return candidate, False\n",
        killed_by=("test_line_search_rejects_kl_violations_and_non_improvements",),
    ),
    Mutant(
        id="KL-reversed",
        assignment=_A,
        description="KL(q ‖ p) instead of KL(p ‖ q)",
        file=_F,
        old="    return (log_p.exp() * (log_p - log_q)).sum(dim=-1)\n",
        new="    return (log_q.exp() * (log_q - log_p)).sum(dim=-1)\n",
        killed_by=("test_categorical_kl",),
    ),
    Mutant(
        id="TRPO-critic-never-trained",
        assignment=_A,
        description="TRPOAgent never fits the critic",
        file=_F,
        old="        for _ in range(self.vf_epochs):\n",
        new="        for _ in range(0):\n",
        killed_by=(_TRUST,),
    ),
    Mutant(
        id="TRPO-surrogate-sign",
        assignment=_A,
        description="the surrogate's advantages with the wrong sign: the step lowers mean(ρ A)",
        file=_F,
        old="            return (torch.exp(log_probs - old_log_probs) * advantages).mean()\n",
        new="            return -(torch.exp(log_probs - old_log_probs) * advantages).mean()\n",
        killed_by=(_TRUST,),
    ),
]
