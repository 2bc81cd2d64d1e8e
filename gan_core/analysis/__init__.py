"""What the theory says about the current G: the best discriminator D*, the Jensen–Shannon
divergence it measures, and how G warps its noise plane.

Pure numpy, no torch: each function takes moments or arrays, so the worker computes them
for a snapshot and the tests check them against independent references. `gaussian` holds
the densities and the singularity test the others share; `gaussian_jsd` the divergence;
`optimal_discriminator` D* on a grid; `warp` the noise grid G is shown pushing forward.
"""
