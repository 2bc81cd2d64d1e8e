"""A run steered and watched from a page: pause, step, stop and new learning rates in, the
latest frame out. A job trains on a server thread or in a warm worker process borrowed from
one pool, under one cap on jobs at once with a first-come queue behind it."""
