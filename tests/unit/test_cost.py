"""What a run's tokens cost: list prices per million, cached input cheaper, flex at its multiplier."""

from decimal import Decimal

from vicbot.models import ModelPrice
from vicbot.services.runs.usage import tokens_cost

PRICE = ModelPrice(model="gpt-test", input_per_million=Decimal("1.25"), cached_input_per_million=Decimal("0.125"),
                   output_per_million=Decimal("10"), flex_multiplier=Decimal("0.5"))


def test_uncached_cached_and_output_tokens_are_each_priced():
    cost = tokens_cost(PRICE, input_tokens=1_000_000, cached_input_tokens=200_000, output_tokens=10_000)
    assert cost == Decimal("1.000000") + Decimal("0.025000") + Decimal("0.100000")


def test_flex_is_billed_at_its_multiplier_to_the_micro_dollar():
    assert tokens_cost(PRICE, input_tokens=3, cached_input_tokens=0, output_tokens=7, flex=True) == Decimal("0.000037")
    assert tokens_cost(PRICE, input_tokens=0, cached_input_tokens=0, output_tokens=0) == Decimal("0")
