"""hw04: deep Q-learning: replay buffer, DQN and Double DQN targets, dueling heads, target networks."""
