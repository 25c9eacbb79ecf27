import pytest

from planner import Campaign, RateCard, SettingsError, Tiers


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"budget": 0}, "budget must be an amount above 0"),
        ({"budget": 100, "macro_share_min": 0.6, "macro_share_max": 0.4}, "is above the maximum"),
        ({"budget": 100, "decay": 0}, "decay must be above 0"),
        ({"budget": 100, "max_posts": -1}, "Posts per influencer"),
        ({"budget": 100, "max_macro": -2}, "cap on macro influencers"),
        ({"budget": 100, "macro_share_max": 1.5}, "between 0% and 100%"),
    ],
)
def test_campaign_errors_say_what_is_wrong(kwargs, words):
    with pytest.raises(SettingsError) as caught:
        Campaign(**kwargs)
    assert words in str(caught.value)


def test_tiers_and_rate_card():
    with pytest.raises(SettingsError):
        Tiers(micro_threshold=5000, macro_threshold=1000)
    with pytest.raises(SettingsError):
        RateCard({"instagram": 0, "other": 10})
    assert RateCard().price_for("tiktok", 10_000) == 50.0
    assert RateCard().price_for("snapchat", 10_000) == 100.0
