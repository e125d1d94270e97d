"""Benchmark harness (issue 4); never imported by the product."""
