"""hw09 — hierarchical RL: options, SMDP and intra-option Q-learning, option-critic."""
