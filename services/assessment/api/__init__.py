"""HTTP API of the assessment service."""
