"""hw13: the project library: your DQN, TD3 and IQL from the homeworks behind one agent API (see README.md)."""
