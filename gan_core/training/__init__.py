"""Training one run (or a stack of runs side by side): the networks and their hand-written
backprop, the optimisers, the losses, the step, the trainer that logs it, its history and
snapshots, and checkpoints that save and restore a run exactly."""
