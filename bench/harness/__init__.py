"""Pieces of bench/run."""
