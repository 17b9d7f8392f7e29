"""rlgrade: the grading engine of the RL homework kit.

Pipeline: impl (load the code under test) → harness (trusted env loops, validation) → plugin (pytest:
fixtures, points, records) → results/report (results.json, JUnit, markdown, terminal) → runner (one
robust grading run) → release (student repo) → cli.
"""
