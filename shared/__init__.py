"""Code shared by every Lederdialog service: config, access, logs, events, outbox."""
