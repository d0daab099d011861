"""The notify service: follow-up emails from events and schedules."""
