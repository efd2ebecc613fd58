"""Published shutdown dates: a model, its dated snapshots, not its siblings; past and future worded apart."""

from datetime import date

from vicbot.services.model_retirements import model_retirement, model_retirement_warning


def test_a_model_and_its_snapshots_retire_together_but_not_a_sibling_or_a_newer_model():
    assert model_retirement("gpt-5").shutdown == date(2026, 12, 11)
    assert model_retirement("gpt-4o-2024-08-06").shutdown == date(2027, 1, 14)
    assert model_retirement("gpt-5-mini").shutdown == date(2026, 12, 11)
    assert model_retirement("gpt-4.1-nano").shutdown == date(2026, 10, 23)
    assert model_retirement("gpt-5.4-mini") is None
    assert model_retirement("gpt-5-2025-08-07-custom") is None


def test_the_warning_says_in_how_many_days_or_that_it_is_gone():
    assert model_retirement_warning("gpt-5.4-mini", today=date(2026, 12, 6)) == ""
    assert "down on 2026-12-11, in 5 days" in model_retirement_warning("gpt-5", today=date(2026, 12, 6))
    assert "shut the model 'gpt-5' down on 2026-12-11" in model_retirement_warning("gpt-5", today=date(2026, 12, 11))
