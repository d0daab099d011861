"""Lederdialog's services: content, assessment, notify and web."""
