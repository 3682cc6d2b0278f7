"""An overturn later reversed (CLP02=22 on the paid appeal claim) reopens the appeal instead of leaving it won."""

from decimal import Decimal

import pytest

from services.denials.domain.appeals import ReversedOverturn, reopened_by_reversal

D = Decimal
CASES = [
    # (case, appeal status, overturned, reversal's paid, result)
    ("a full reversal reopens a won appeal", "won", D("227.00"), D("-227.00"),
     ReversedOverturn("sent", D("0.00"), D("227.00"))),
    ("a bigger reversal takes back no more than was overturned", "partially_won", D("100.00"), D("-227.00"),
     ReversedOverturn("sent", D("0.00"), D("100.00"))),
    ("a partial reversal leaves the rest won", "won", D("227.00"), D("-27.00"),
     ReversedOverturn("partially_won", D("200.00"), D("27.00"))),
    ("a lost appeal has nothing to reverse", "lost", D("0"), D("-227.00"), None),
    ("a sent appeal is not decided yet", "sent", None, D("-227.00"), None),
    ("a reversal of a denial takes no money back", "won", D("227.00"), D("0.00"), None),
]  # fmt: skip


@pytest.mark.parametrize(("status", "overturned", "paid", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_reversal_undoes_what_it_takes_back_of_a_won_appeal(status, overturned, paid, expected) -> None:
    assert reopened_by_reversal(status, overturned, paid) == expected
