"""The demo organisation and dialogues `make demo` loads."""
