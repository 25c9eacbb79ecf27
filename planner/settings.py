"""Campaign settings, tier thresholds and the rate card: frozen, typed, validated on creation.

Every default here is the one place that default lives; the CLI, the app and the docs read it
from these classes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


class SettingsError(ValueError):
    """One or more settings are out of range; `problems` lists each in plain words."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems))


def is_number(value: object) -> bool:
    """A finite int or float (not a bool)."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@dataclass(frozen=True)
class Tiers:
    """Follower thresholds that make an account micro or macro (MODEL.md)."""

    micro_threshold: int = 1_000
    macro_threshold: int = 1_000_000

    def __post_init__(self) -> None:
        problems = []
        if not _is_count(self.micro_threshold):
            problems.append("The micro threshold must be a whole number of followers, 0 or more.")
        if not _is_count(self.macro_threshold):
            problems.append("The macro threshold must be a whole number of followers, 0 or more.")
        if not problems and self.macro_threshold <= self.micro_threshold:
            problems.append(
                f"The macro threshold ({self.macro_threshold:,} followers) must be above the "
                f"micro threshold ({self.micro_threshold:,} followers)."
            )
        if problems:
            raise SettingsError(problems)

    @property
    def micro_words(self) -> str:
        """Who is micro, in words: "1,000–999,999 followers" (every sentence that states a
        threshold says it with these two)."""
        return f"{followers_text(self.micro_threshold)}–{self.macro_threshold - 1:,} followers"

    @property
    def macro_words(self) -> str:
        """Who is macro, in words: "1M+ followers"."""
        return f"{followers_text(self.macro_threshold)}+ followers"

    def tier_of(self, followers: float) -> str | None:
        """'macro', 'micro', or None for an account below the micro threshold."""
        if followers >= self.macro_threshold:
            return "macro"
        if followers >= self.micro_threshold:
            return "micro"
        return None


def followers_text(count: int) -> str:
    """A follower count as people write it: 1M, 2.5M, 250,000 (exact: 1,250,001 stays whole)."""
    if count >= 1_000_000 and count % 100_000 == 0:
        return f"{count / 1_000_000:g}M"
    return f"{count:,}"


# Price per 1,000 followers for one sponsored post, by platform (BENCHMARKS.md, "Price per post"):
# Instagram ~$10/1K (InfluencerDB; Hootsuite rule of thumb); YouTube about 2x Instagram and TikTok
# about half (Influencer Marketing Hub rate table, 2021); X/Twitter $400 where Instagram is $1,000
# for 50K-500K accounts (Captiv8, 2016), so 0.4x. Any other platform uses the Instagram figure.
DEFAULT_RATE_CARD: Mapping[str, float] = MappingProxyType(
    {"instagram": 10.0, "youtube": 20.0, "tiktok": 5.0, "x": 4.0, "other": 10.0}
)


@dataclass(frozen=True)
class RateCard:
    """Estimated price of one post per 1,000 followers, by platform; 'other' covers the rest."""

    per_thousand: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RATE_CARD))

    def __post_init__(self) -> None:
        cleaned = {str(k).strip().lower(): v for k, v in self.per_thousand.items()}
        problems = [
            f"The rate card price for {name!r} must be a number above 0 (got {value!r})."
            for name, value in cleaned.items()
            if not is_number(value) or float(value) <= 0
        ]
        if "other" not in cleaned:
            problems.append("The rate card needs an 'other' price for platforms it does not list.")
        if problems:
            raise SettingsError(problems)
        object.__setattr__(
            self, "per_thousand", MappingProxyType({k: float(v) for k, v in cleaned.items()})
        )

    def price_for(self, platform: str, followers: float) -> float:
        rate = self.per_thousand.get(platform, self.per_thousand["other"])
        return round(max(followers, 0) / 1000.0 * rate, 2)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.per_thousand.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RateCard) and dict(self.per_thousand) == dict(other.per_thousand)


@dataclass(frozen=True)
class Campaign:
    """What the marketer sets for one campaign (MODEL.md, "The plan")."""

    budget: float
    max_posts: int = 3
    decay: float = 0.8
    macro_share_min: float = 0.0
    macro_share_max: float = 1.0
    max_macro: int | None = None
    max_influencers: int | None = None

    def __post_init__(self) -> None:
        problems = []
        if not is_number(self.budget) or self.budget <= 0:
            problems.append(f"The budget must be an amount above 0 (got {self.budget!r}).")
        if not _is_count(self.max_posts):
            problems.append(
                f"Posts per influencer must be a whole number, 0 or more (got {self.max_posts!r})."
            )
        if not is_number(self.decay) or not 0 < self.decay <= 1:
            problems.append(
                "The repeat-post decay must be above 0 and at most 1 (1 = a repeat post earns as "
                f"much as the first; got {self.decay!r})."
            )
        shares_ok = True
        for name in ("macro_share_min", "macro_share_max"):
            value = getattr(self, name)
            if not is_number(value) or not 0 <= value <= 1:
                shares_ok = False
                problems.append(
                    f"The {name.replace('_', ' ')} must be between 0% and 100% (got {value!r})."
                )
        if shares_ok and self.macro_share_min > self.macro_share_max:
            problems.append(
                f"The minimum macro share ({self.macro_share_min:.0%}) is above the maximum "
                f"({self.macro_share_max:.0%}): lower the minimum or raise the maximum."
            )
        for name, label in (("max_macro", "macro influencers"), ("max_influencers", "influencers")):
            value = getattr(self, name)
            if value is not None and not _is_count(value):
                problems.append(
                    f"The cap on {label} must be a whole number, 0 or more, or empty for no cap "
                    f"(got {value!r})."
                )
        if problems:
            raise SettingsError(problems)
