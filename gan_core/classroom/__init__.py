"""The class board's rules: a challenge a teacher sets (a Gaussian target, a step limit, and
optionally a loss and D's shape), each published run checked against it with the reasons it
does not count, and the runs that count ranked by their final exact distance."""
