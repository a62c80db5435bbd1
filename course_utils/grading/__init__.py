"""Grading: the sandbox, the worker, the judge, the class runner and what they share (docs/grading.md).

Notebooks never import this package; `course grade` and `course validate` do.
"""
