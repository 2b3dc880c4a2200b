"""Benchmarks: runnable by anyone, never part of the tests."""
