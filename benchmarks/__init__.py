"""Benchmarks against a real Home Assistant: ``python -m benchmarks.<name>``."""
