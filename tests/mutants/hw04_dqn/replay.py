"""Known bugs of hw04's replay buffer (bug catalog DQN8): the write position does not wrap around, or sampling
draws from the whole capacity including slots never written."""

from grader.mutants import Mutant

_A = "hw04_dqn"
_F = "replay.py"

MUTANTS = [
    Mutant(
        id="DQN8-index-not-modulo",
        assignment=_A,
        description="DQN8: the write position is not taken modulo capacity (no overwrite of the oldest slot)",
        file=_F,
        old="""        self.pos = (self.pos + 1) % self.capacity
""",
        new="""        self.pos = min(self.pos + 1, self.capacity - 1)
""",
        killed_by=("test_buffer_wraps_around", "test_hidden_buffer_fill_and_many_wraps"),
    ),
    Mutant(
        id="DQN8-samples-unfilled-slots",
        assignment=_A,
        description="DQN8: sample draws indices from the whole capacity, returning never-written zero slots",
        file=_F,
        old="""        idx = self.rng.integers(self.size, size=batch_size)
""",
        new="""        idx = self.rng.integers(self.capacity, size=batch_size)
""",
        killed_by=("test_buffer_sample_shapes_and_uniform", "test_hidden_buffer_fill_and_many_wraps"),
    ),
    Mutant(
        id="DQN8-next-obs-stored-as-obs",
        assignment=_A,
        description="add stores obs in the next_obs slot: every sampled transition has s' = s",
        file=_F,
        old="""        self.next_obs[self.pos] = next_obs
""",
        new="""        self.next_obs[self.pos] = obs
""",
        killed_by=("test_buffer_wraps_around", "test_buffer_sample_shapes_and_uniform"),
    ),
]
