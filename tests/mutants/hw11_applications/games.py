"""Known bugs of hw11's games part: the afterstate target not negated (the opponent's value taken as one's own),
a terminal afterstate not rewarded, a greedy choice of the worst move, a move of 0 objects, and exploration that
draws its numbers otherwise than documented.

Each mutant patches ``solutions/hw11_applications/games.py`` in one place; ``killed_by`` lists the checks
(public or hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw11_applications"
_F = "games.py"
_LEARN = (
    "test_self_play_learns_perfect_play",
    "test_self_play_never_loses_to_random",
    "test_self_play_perfect_hidden",
)

MUTANTS = [
    Mutant(
        id="nim-target-not-negated",
        assignment=_A,
        description="the target is +max of the opponent's afterstate values, not −max (no negamax)",
        file=_F,
        old="        target = -max(replies) if replies else 1.0",
        new="        target = max(replies) if replies else 1.0",
        killed_by=("test_update_and_greedy", "test_update_random_table", *_LEARN),
    ),
    Mutant(
        id="nim-terminal-worth-zero",
        assignment=_A,
        description="taking the last object is worth 0 instead of +1: nothing is ever learnt",
        file=_F,
        old="        target = -max(replies) if replies else 1.0",
        new="        target = -max(replies) if replies else 0.0",
        killed_by=("test_update_and_greedy", "test_update_random_table", *_LEARN),
    ),
    Mutant(
        id="nim-greedy-worst-move",
        assignment=_A,
        description="the greedy move is the one with the smallest afterstate value",
        file=_F,
        old="        return moves[int(np.argmax(values))]",
        new="        return moves[int(np.argmin(values))]",
        killed_by=("test_update_and_greedy",),
    ),
    Mutant(
        id="nim-move-of-zero",
        assignment=_A,
        description="legal_moves() includes taking 0 objects",
        file=_F,
        old="    return [(h, c) for h, size in enumerate(position) for c in range(1, size + 1)]",
        new="    return [(h, c) for h, size in enumerate(position) for c in range(size + 1)]",
        killed_by=("test_legal_moves_and_afterstate", "test_exploration_draws"),
    ),
    Mutant(
        id="nim-explores-with-choice",
        assignment=_A,
        description="with ε = 1 exploration skips the documented rng.random() draw before choosing the move",
        file=_F,
        old="        if self.rng.random() < self.epsilon:",
        new="        if self.epsilon >= 1.0 or self.rng.random() < self.epsilon:",
        killed_by=("test_exploration_draws",),
    ),
]
