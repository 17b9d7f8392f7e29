"""Gate 5 of the project: the learning benchmark of a student's library, beside a baseline on the same budget.

Each required algorithm (:data:`BENCHMARKS`, one per entry of :data:`grader.harness.library.ALGORITHMS`) trains on
``len(seeds)`` ≥ 3 seeds in the grader's loops, with the grader's budget in env steps, and is evaluated every
``eval_every`` steps on fixed-seed episodes (greedy actions; no early stop). The baseline — Stable-Baselines3's
DQN with the RL Baselines3 Zoo's tuned CartPole hyper-parameters, TD3 with SB3's defaults, the library's network
sizes and warm-up and the Zoo's action noise (the extra ``rlgrade[hw13]``) — is trained in one ``learn`` call over
the same budget (its schedules span it), evaluated on the same seeds and episodes by the grader's ``evaluate``
every ``eval_every`` steps; its numbers are computed, never quoted. The baseline does not depend on the student,
so it is computed once per benchmark definition (``python -m grader.project baselines`` writes
:data:`BASELINES_FILE`) and gate 5 reads it: grading does not train SB3 again for every library, and a baseline's
cost never counts against a check's CPU time.
For IQL, whose baseline SB3 lacks, the baseline is the uniform random team (its expected payoff, computed from the
game). The report (:mod:`grader.benchmark_report`) draws the mean curve with a 95 % t-interval over seeds beside
the baseline's and the threshold of the matching homework check, and tabulates them.

The benchmark grades nothing by itself: the homeworks' learning checks run again in gate 4; this report is what
the student presents (and the rubric grades) at the defense.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from grader.harness.deep_control import DeepSpec, evaluate
from grader.harness.library import BY_NAME, build, checked_act, record
from grader.harness.matrix_games import penalty


@dataclass(frozen=True)
class Benchmark:
    """The learning benchmark of one algorithm."""

    algorithm: str  # a name of grader.harness.library.ALGORITHMS
    env_id: str
    steps: int  # training budget in env steps, per seed
    eval_every: int
    eval_episodes: int
    seeds: tuple[int, ...]
    threshold: float  # the matching homework check's threshold, in the units of the curve
    threshold_source: str  # which check, and its budget
    hparams: dict[str, Any] = field(default_factory=dict)
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    baseline: str = ""  # "DQN" / "TD3" (Stable-Baselines3); "" for the uniform random team
    baseline_kwargs: dict[str, Any] = field(default_factory=dict)  # the SB3 model's hyper-parameters

    def scaled(self, factor: float) -> Benchmark:
        """The same benchmark on ``factor`` times the budget (tests of the kit run it tiny)."""
        steps = max(self.eval_every, int(self.steps * factor) // self.eval_every * self.eval_every)
        every = self.eval_every if steps > self.eval_every else steps
        return replace(self, steps=steps, eval_every=every)


PENALTY_K = -5.0
#: RL Baselines3 Zoo's tuned DQN for CartPole-v1 (hyperparams/dqn.yml; the Zoo trains it for 50k steps)
ZOO_DQN_CARTPOLE = {
    "learning_rate": 2.3e-3, "batch_size": 64, "buffer_size": 100_000, "learning_starts": 1000, "gamma": 0.99,
    "target_update_interval": 10, "train_freq": 256, "gradient_steps": 128, "exploration_fraction": 0.16,
    "exploration_final_eps": 0.04, "policy_kwargs": {"net_arch": [256, 256]},
}  # fmt: skip
BENCHMARKS: dict[str, Benchmark] = {
    "dqn": Benchmark(
        "dqn", "CartPole-v1", steps=20_000, eval_every=2_000, eval_episodes=5, seeds=(101, 102, 103),
        threshold=150.0, threshold_source="hw04 test_dqn_cartpole: best mean greedy return ≥ 150 within 60k steps",
        hparams={"learning_starts": 1000, "train_every": 2, "target_update_every": 1, "tau": 0.01,
                 "eps_duration": 5000, "eps_end": 0.02, "hidden": (64, 64)},
        baseline="DQN", baseline_kwargs=ZOO_DQN_CARTPOLE,
    ),
    "td3": Benchmark(
        "td3", "Pendulum-v1", steps=6_000, eval_every=1_000, eval_episodes=5, seeds=(101, 102, 103),
        threshold=-250.0, threshold_source="hw07 test_td3_pendulum: best mean greedy return ≥ −250 within 10k steps",
        hparams={"learning_starts": 500, "actor_lr": 2e-3, "critic_lr": 2e-3, "tau": 0.01, "batch_size": 128,
                 "buffer_size": 20_000, "hidden": (64, 64)},
        baseline="TD3",
        baseline_kwargs={"learning_starts": 500, "policy_kwargs": {"net_arch": [64, 64]}},
    ),
    "iql": Benchmark(
        "iql", "grader.harness.matrix_games:MatrixGameEnv", steps=500, eval_every=50, eval_episodes=1,
        seeds=(101, 102, 103, 104, 105),
        threshold=10.0, threshold_source="hw10 test_iql_penalty_game: ≥ 6 of 9 runs reach an optimal joint action "
        "(payoff 10) in 500 episodes",
        hparams={"alpha": 0.1, "gamma": 0.9, "eps_start": 1.0, "eps_end": 0.05, "eps_decay_steps": 400},
        env_kwargs={"payoff": penalty(PENALTY_K)[0].tolist()},
    ),
}  # fmt: skip


def library_curve(agent_cls: Callable[..., Any], bench: Benchmark, seed: int) -> list[float]:
    """The library agent's mean greedy return after every ``eval_every`` steps of the grader's training loop."""
    algorithm = BY_NAME[bench.algorithm]
    if algorithm.multi_agent:
        team = build(agent_cls, algorithm, seed, **bench.hparams)
        team_alg = _with_env(algorithm, bench)
        curve = []
        for _ in range(bench.steps // bench.eval_every):
            record(team, team_alg, bench.eval_every, env_seed=seed)
            curve.append(_greedy_payoff(team, team_alg, bench))
        return curve
    spec = DeepSpec(
        check=f"gate5_{bench.algorithm}",
        module=algorithm.module,
        agent=algorithm.agent,
        env_id=bench.env_id,
        steps=bench.steps,
        seed=seed,
        low=math.inf,
        semantics="best",
        eval_every=bench.eval_every,
        eval_episodes=bench.eval_episodes,
        hparams=bench.hparams,
        env_kwargs=bench.env_kwargs,
    )  # fmt: skip  (low = inf: never stops early, every evaluation is kept)
    return [value for _, value in spec.run(agent_cls).curve]


def _with_env(algorithm: Any, bench: Benchmark) -> Any:
    return replace(algorithm, env_id=bench.env_id, env_kwargs=bench.env_kwargs)


def _greedy_payoff(team: Any, algorithm: Any, bench: Benchmark) -> float:
    payoff = np.array(bench.env_kwargs["payoff"])
    joint = checked_act(team, algorithm, {"agent_0": 0, "agent_1": 0}, deterministic=True)
    return float(payoff[int(joint[0]), int(joint[1])])


class _Policy:
    """An SB3 model answering the grader's evaluation call ``act(obs, deterministic=True)``."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def act(self, obs: np.ndarray, deterministic: bool = True) -> Any:
        action, _ = self.model.predict(obs, deterministic=deterministic)
        return int(action) if np.ndim(action) == 0 else np.asarray(action, dtype=np.float32)


def baseline_curve(bench: Benchmark, seed: int) -> list[float]:
    """The baseline's curve on the same budget, seeds and evaluation episodes as :func:`library_curve`."""
    if not bench.baseline:
        payoff = np.array(bench.env_kwargs["payoff"])
        return [float(payoff.mean())] * (bench.steps // bench.eval_every)  # the uniform random team, exactly
    import gymnasium as gym
    import stable_baselines3 as sb3
    import torch
    from stable_baselines3.common.callbacks import BaseCallback

    spec = DeepSpec(
        check="baseline",
        module="",
        agent="",
        env_id=bench.env_id,
        steps=bench.steps,
        seed=seed,
        low=0.0,
        eval_episodes=bench.eval_episodes,
    )  # fmt: skip  (the library's seeds: the same evaluation episodes)
    agent_seed, env_seed, eval_seeds = spec.seeds()
    torch.manual_seed(agent_seed)
    env = gym.make(bench.env_id, **bench.env_kwargs)
    env.reset(seed=env_seed)
    options = {"seed": agent_seed, "verbose": 0, "device": "cpu", **bench.baseline_kwargs}
    if bench.baseline == "TD3":  # SB3's TD3 explores only through an action noise (RL Zoo: σ = 0.1 · scale)
        from stable_baselines3.common.noise import NormalActionNoise

        scale = (env.action_space.high - env.action_space.low) / 2
        options["action_noise"] = NormalActionNoise(np.zeros_like(scale), 0.1 * scale)
    model = getattr(sb3, bench.baseline)("MlpPolicy", env, **options)
    curve: list[float] = []

    class Evaluate(BaseCallback):
        """Evaluate every ``eval_every`` env steps of one ``learn`` call (its schedules span the whole budget)."""

        def _on_step(self) -> bool:
            if self.num_timesteps % bench.eval_every == 0:
                returns = evaluate(_Policy(self.model), bench.env_id, bench.env_kwargs, eval_seeds)
                curve.append(float(np.mean(returns)))
            return True

    model.learn(total_timesteps=bench.steps, callback=Evaluate())
    env.close()
    return curve


BASELINES_FILE = Path(__file__).with_name("benchmark_baselines.json")


def baseline_key(bench: Benchmark, seed: int) -> str:
    """What a stored baseline curve was computed from: the benchmark's definition (threshold texts aside) and seed."""
    definition = {k: v for k, v in asdict(bench).items() if k not in ("threshold", "threshold_source", "seeds")}
    return json.dumps({**definition, "seed": seed}, sort_keys=True)


def compute_baselines(path: Path = BASELINES_FILE) -> Path:
    """Compute every benchmark's baseline on each of its seeds and store the curves in ``path``."""
    curves = {baseline_key(b, seed): baseline_curve(b, seed) for b in BENCHMARKS.values() for seed in b.seeds}
    path.write_text(json.dumps(curves, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def stored_baseline(bench: Benchmark, seed: int, path: Path = BASELINES_FILE) -> list[float] | None:
    """The baseline curve stored for ``bench`` and ``seed``; ``None`` when none was computed for this definition."""
    if not path.is_file():
        return None
    curve = json.loads(path.read_text(encoding="utf-8")).get(baseline_key(bench, seed))
    return [float(v) for v in curve] if curve is not None else None


def baseline_label(bench: Benchmark) -> str:
    return f"Stable-Baselines3 {bench.baseline}" if bench.baseline else "uniform random team"


def eval_steps(bench: Benchmark) -> list[int]:
    return list(range(bench.eval_every, bench.steps + 1, bench.eval_every))


def write_run(folder: Path, bench: Benchmark, seed: int, library: list[float], baseline: list[float] | None) -> Path:
    """Store one seed's curves as ``<folder>/<algorithm>_seed<seed>.json`` (the report reads these files)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{bench.algorithm}_seed{seed}.json"
    data = {"benchmark": asdict(bench), "seed": seed, "steps": eval_steps(bench), "library": library,
            "baseline": baseline, "baseline_label": baseline_label(bench)}  # fmt: skip
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def read_runs(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """The stored runs of ``folder`` by algorithm, seeds in order."""
    runs: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(folder.glob("*_seed*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        runs.setdefault(data["benchmark"]["algorithm"], []).append(data)
    return {name: sorted(items, key=lambda d: d["seed"]) for name, items in runs.items()}


def benchmark_folder(config: Any) -> Path | None:
    """Where gate 5 stores its runs: ``benchmark/`` beside the curves of ``rlgrade grade --out DIR`` (``DIR/curves``),
    or in ``--report-dir``; ``None`` when the run writes no reports."""
    curves, reports = config.getoption("--curves-dir"), config.getoption("--report-dir")
    if curves:
        return Path(curves).parent / "benchmark"
    return Path(reports) / "benchmark" if reports else None
