"""Which month's first day the kept day rows start on."""
from datetime import date

import pytest

from app.dashboard.retention import horizon_for


@pytest.mark.parametrize("months, today, first_kept", [
    (1, date(2026, 11, 22), date(2026, 11, 1)),
    (2, date(2026, 11, 1), date(2026, 10, 1)),
    (24, date(2026, 11, 22), date(2024, 12, 1)),
    (3, date(2026, 2, 28), date(2025, 12, 1)),
    (12, date(2026, 1, 31), date(2025, 2, 1)),
])
def test_the_last_months_count_this_one(months, today, first_kept):
    assert horizon_for(months, today) == first_kept
