"""The LPG tests post scans dated in the demo's June 2022 through the real API, today.

The upload-delay bound (``ZHUJIAN_LPG_MAX_UPLOAD_DELAY_DAYS``) would refuse every one of
them, so it is widened here for the rule tests; ``test_date_trust.py`` sets it back and
tests the bound itself.
"""

from __future__ import annotations

import pytest

from tests.domains.lpg.helpers import LEGACY_UPLOAD_DELAY_DAYS


@pytest.fixture(autouse=True)
def _scans_of_june_2022_may_be_uploaded_today(settings):
    settings.ZHUJIAN_LPG_MAX_UPLOAD_DELAY_DAYS = LEGACY_UPLOAD_DELAY_DAYS
