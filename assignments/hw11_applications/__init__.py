"""hw11 — reinforcement learning in real tasks: games, recommender systems, credit scoring, portfolios."""
