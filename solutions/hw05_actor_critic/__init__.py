"""hw05: advantage actor-critic on vector environments: n-step returns, GAE(λ), the A2C loss and agent."""
