"""hw07: continuous control with deterministic actors: DDPG, TD3 and the memory-based LSTM-TD3."""
