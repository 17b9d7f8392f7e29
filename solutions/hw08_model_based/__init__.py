"""hw08: model-based reinforcement learning: Dyna-Q, learned dynamics with model-predictive control, and MCTS."""
