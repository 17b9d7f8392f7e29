"""hw01: the agent-environment loop, a Gymnasium environment of your own, and multi-armed bandits."""
