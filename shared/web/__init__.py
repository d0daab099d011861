"""Flask glue shared by the services' apps."""
