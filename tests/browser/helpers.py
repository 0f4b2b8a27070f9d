"""Shared bits of the browser tests: viewports, Chromium flags and screenshots."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = os.environ.get("ZHUJIAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
# Test runs keep their screenshots under var/; ZHUJIAN_UPDATE_SCREENSHOTS=1 refreshes the
# ones README shows in docs/screenshots/ (so a plain test run leaves the tree clean).
SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("ZHUJIAN_UPDATE_SCREENSHOTS") == "1"
    else ROOT / "var" / "screenshots"
)
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def screenshot(page, name: str, full_page: bool = False) -> Path:
    """Save ``page`` as ``SCREENSHOTS/name``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path
