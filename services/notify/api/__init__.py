"""HTTP API of the notify service: dead letters for HR admins."""
