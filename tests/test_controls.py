"""The dashboard's settings: link checking and the campaign the widgets describe."""

from __future__ import annotations

import pytest

from dashboard import controls
from planner import SettingsError


def test_a_clean_link_has_no_problems():
    params = {"budget": ["25000"], "macro_share": ["10", "60"], "decay": ["0.7"]}
    assert controls.check_link(params) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"budget": ["lots"]}, "Budget: in the link, 'lots' is not a number; using $100,000."),
        ({"budget": ["-5"]}, "−$5 is outside $100–$50,000,000"),
        ({"max_posts": ["2.5"]}, "2.5 is not a whole number"),
        ({"macro_share": ["70", "20"]}, "starts above where it ends"),
        ({"macro_share": ["20"]}, "1 values ('20') where it takes 2 values"),
        ({"max_macro": ["x"]}, "using no cap"),
        ({"estimate_prices": ["maybe"]}, "not true or false"),
        ({"decay": ["nan"]}, "not a number"),
    ],
)
def test_each_bad_value_is_named_with_its_fallback(params, expected):
    problems = controls.check_link(params)
    assert len(problems) == 1
    assert expected in problems[0]


def test_a_warning_quotes_only_a_short_excerpt_of_a_bad_value():
    (problem,) = controls.check_link({"budget": ["1" * 5000] * 1000})
    assert "1,000 values" in problem and "and 998 more" in problem
    assert len(problem) < 200


@pytest.mark.parametrize(
    ("params", "clean"),
    [
        ({"budget": ["25000.0"], "tab": ["Plan"]}, {"budget": ["25000"], "tab": ["Plan"]}),
        ({"max_posts": ["5.0"]}, {"max_posts": ["5"]}),
        ({"macro_share": ["90", "10"]}, {}),  # refused: dropped
        ({"budget": ["9000"] * 3}, {}),
        (
            {"decay": ["0.70"], "estimate_prices": ["True"]},
            {"decay": ["0.7"], "estimate_prices": ["true"]},
        ),
        ({"budget": ["1_000"]}, {"budget": ["1000"]}),
    ],
)
def test_the_canonical_link_keeps_what_the_check_uses_in_the_form_the_widgets_read(params, clean):
    assert controls.canonical_link(params) == clean


@pytest.mark.parametrize(
    ("key", "value", "param"),
    [
        ("spread_micro", 1.5, "1.5"),
        ("spread_micro", 0.5, None),  # the default: left out of the link
        ("reply_micro", 60, "60"),
        ("rate_instagram", 12.0, "12"),
        ("rate_instagram", 0.01, "0.01"),
        ("target", 250_000, "250000"),
        ("target", None, None),
        ("estimate_prices", True, "true"),
        ("estimate_prices", False, None),
        ("micro_threshold", 5_000, "5000"),
    ],
)
def test_a_setting_goes_into_a_link_and_back(key, value, param):
    setting = next(s for s in controls.ALL if s.key == key)
    assert controls.to_link(setting, value) == param
    assert controls.from_link(setting, [] if param is None else [param]) == value


def test_a_link_value_that_cannot_be_used_reads_as_the_default():
    assert controls.from_link(controls.SPREAD_MICRO, ["wide"]) == controls.SPREAD_MICRO.default
    assert controls.from_link(controls.REPLY_MICRO, ["150"]) == controls.REPLY_MICRO.default
    assert controls.from_link(controls.ESTIMATE_PRICES, ["maybe"]) is False


def test_unknown_parameters_are_ignored():
    assert controls.check_link({"utm_source": ["newsletter"]}) == []


def test_campaign_from_widget_values():
    values = {s.key: s.default for s in controls.ALL}
    values.update({"budget": 5_000.0, "macro_share": (10, 40), "max_macro": 2})
    campaign = controls.campaign_from(values)
    assert campaign.budget == 5_000
    assert (campaign.macro_share_min, campaign.macro_share_max) == (0.1, 0.4)
    assert campaign.max_macro == 2 and campaign.max_influencers is None
    assert controls.rate_card_from(values).per_thousand["youtube"] == 20.0
    assert controls.tiers_from(values).macro_threshold == 1_000_000


def test_impossible_thresholds_are_a_settings_error():
    values = {s.key: s.default for s in controls.ALL}
    values.update({"micro_threshold": 5_000_000})
    with pytest.raises(SettingsError):
        controls.tiers_from(values)


def test_money_settings_are_labelled_in_the_rosters_currency():
    assert controls.label_of(controls.BUDGET, "EUR") == "Budget (€)"
    assert controls.label_of(controls.BUDGET) == "Budget ($)"
    instagram = next(s for s in controls.RATE_CARD if s.key == "rate_instagram")
    assert controls.label_of(instagram, "CHF") == "Instagram (CHF per 1,000 followers)"
    assert controls.label_of(controls.MAX_POSTS, "EUR") == controls.MAX_POSTS.label
    assert not [
        s.key for s in controls.ALL if "$" in controls.label_of(s, "EUR")
    ]  # no other setting is in dollars
    assert controls.describe(controls.BUDGET, 25_000.0, "EUR") == "€25,000.00"
    assert "€100" in controls.budget_in_range(50.0, "EUR")[1]
    assert "€1,000" in controls.slider_note(5_000_000.0, "EUR")
