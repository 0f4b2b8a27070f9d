import pytest

from tests.domains.housing import helpers


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> helpers.Clock:
    """The draw service's clock, at the known-answer round's publication time: every
    housing test runs on the round's calendar, not on the day the suite runs."""
    return helpers.Clock(monkeypatch)
