"""hw06: trust-region policy optimisation (TRPO), then proximal policy optimisation (PPO)."""
