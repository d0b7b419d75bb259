"""Pieces of scripts/benchmark.py: finding Odoo, running it, talking HTTP, each measurement."""
