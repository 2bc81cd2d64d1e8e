"""Sweeps: many runs of one setup over a grid of settings and seeds, trained side by side as
one stack per network shape, with their axes, plan, distances, result table and CLI."""
