"""hw10 — multi-agent reinforcement learning and cooperation."""
