"""The content service: the leadership framework, versioned, managed by HR."""
