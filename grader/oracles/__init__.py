"""The grader's own answers to the homework: code that computes what a student's function must return.

Hidden checks (``tests/hidden/``) compare student code against these. They stay in the course repo:
``rlgrade release`` never copies this package into a student repo, and code graded in the sandbox cannot
import it (design P3; issue 18). Public checks, which ship, compare against expected values written as data.
"""
