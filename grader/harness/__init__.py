"""Trusted code the checks use: environments and loops owned by the grader, and validation of values
returned by the implementation under test (design P3)."""
