"""Helpers shared by the unit tests, one module per topic.

``tests/conftest.py`` imports their fixtures (so pytest finds them) and
re-exports their names, so ``from .conftest import …`` keeps working.
"""
