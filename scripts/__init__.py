"""Developer tooling: the `make run` process runner and its embedded services."""
