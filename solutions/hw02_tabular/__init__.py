"""hw02: tabular value-based methods: dynamic programming, Monte Carlo and temporal-difference control."""
