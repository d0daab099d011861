"""HTTP API of the notify service: dead letters and dead events for HR admins."""
