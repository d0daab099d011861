"""What the assessment views share: the composition root's clients."""

from __future__ import annotations

from flask import current_app

from services.assessment.framework import FrameworkClient


def framework() -> FrameworkClient:
    return current_app.extensions["lederdialog.deps"].framework
