"""The daily spend cap's arithmetic, apart from the database so it can be checked on its own.

What counts against the cap is what today's runs committed: the actual cost of those that
ended, and the reservation (expected cost) of those still in flight, whose actual cost is
known only when they end. A run may start while that is below the cap, so the committed
total never passes the cap by more than one run's reservation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Spend:
    spent: Decimal  # actual cost of today's runs that ended
    reserved: Decimal  # expected cost of today's runs still in flight
    cap: Decimal | None  # None: the pipeline has no cap

    @property
    def committed(self) -> Decimal:
        return self.spent + self.reserved

    @property
    def reached(self) -> bool:
        return self.cap is not None and self.committed >= self.cap

    def runs_allowed(self, each: Decimal) -> int | None:
        """How many more runs, each reserving `each`, may start now (None: the cap sets no limit).

        The n-th may start while the committed total before it is below the cap, so after n
        runs it is below cap + each.
        """
        if self.cap is None:
            return None
        if self.reached:
            return 0
        if each <= 0:
            return None  # runs with no known price: only their actual cost can stop them
        return math.ceil((self.cap - self.committed) / each)

    def sentence(self) -> str:
        reserved = f" + ${self.reserved:.4f} reserved by runs in flight" if self.reserved else ""
        return f"${self.spent:.4f} spent today{reserved}, against a daily cap of ${self.cap:.2f}"
