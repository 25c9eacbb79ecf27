"""Synthetic rosters built from the published figures in shared/BENCHMARKS.md.

Used for the shipped sample roster (data/make_sample_roster.py), the benchmark and the tests.
Every number below names the BENCHMARKS.md line it comes from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.settings import DEFAULT_RATE_CARD

PLATFORM_SHARES = {"instagram": 0.5, "tiktok": 0.3, "youtube": 0.2}
NICHES = ("beauty", "fitness", "food", "travel", "gaming", "tech", "fashion", "parenting")

# Engagement per follower against log10(followers), interpolated between anchor points.
ENGAGEMENT_ANCHORS = {
    # Mavrck (35K posts): 1-5K 6.84%, 5-10K 4.00%, 10-50K 3.07%, 50-100K 2.33%, 100-500K 2.21%,
    # anchored at each band's geometric middle; 1M+ : IMH Benchmark Report 2021, mega 1.21%.
    "instagram": (
        (3.35, 0.0684),
        (3.85, 0.0400),
        (4.35, 0.0307),
        (4.85, 0.0233),
        (5.35, 0.0221),
        (6.5, 0.0121),
    ),
    # HypeAuditor 2023: nano 12.6%; IMH 2021: mega about 5%. (IMH's micro 18% is left out: it is
    # above the nano figure of the later study and would make the sample's TikTok unrealistic.)
    "tiktok": ((3.5, 0.126), (6.5, 0.05)),
    # IMH Benchmark Report 2021: micro 1.64%, mega 0.37%.
    "youtube": ((4.7, 0.0164), (6.5, 0.0037)),
}

# Share of accounts with under 10% suspected fake followers (Heepsy): nano 47%, micro 42.7%,
# mega 22.1%, against log10(followers).
CLEAN_SHARE_ANCHORS = ((3.5, 0.47), (4.7, 0.427), (6.5, 0.221))

_ADJECTIVES = (
    "sunny",
    "urban",
    "wild",
    "cozy",
    "bold",
    "green",
    "happy",
    "daily",
    "little",
    "fresh",
    "north",
    "golden",
    "quiet",
    "lucky",
    "bright",
    "real",
    "modern",
    "simple",
)
_NOUNS = (
    "kitchen",
    "traveler",
    "runner",
    "closet",
    "gamer",
    "studio",
    "garden",
    "mama",
    "coder",
    "chef",
    "nomad",
    "glow",
    "lifts",
    "bites",
    "pixels",
    "threads",
    "trails",
    "beats",
)


def _interpolate(anchors: tuple[tuple[float, float], ...], log_followers: np.ndarray) -> np.ndarray:
    xs, ys = zip(*anchors, strict=True)
    return np.interp(log_followers, xs, ys)


def _names(rng: np.random.Generator, n: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        name = (
            f"@{rng.choice(_ADJECTIVES)}_{rng.choice(_NOUNS)}"
            f"{int(rng.integers(1, 1000)) if len(seen) >= 100 or rng.random() < 0.6 else ''}"
        )
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def synthetic_roster(
    n: int,
    *,
    seed: int,
    macro_fraction: float = 0.03,
    below_threshold: int = 0,
    rate_card_priced: bool = False,
) -> pd.DataFrame:
    """A roster table in the upload format (one row per influencer).

    `rate_card_priced` makes the hard case for exact optimisation: prices exactly proportional to
    followers (the default rate card) and engagement per dollar equal to within about 1%.
    """
    rng = np.random.default_rng(seed)
    n_macro = int(round(n * macro_fraction))
    n_micro = n - n_macro - below_threshold
    log_f = np.concatenate(
        [
            3 + 3 * rng.beta(1.1, 2.6, n_micro),  # 1,000 to 999,999, most of them small
            rng.uniform(6.0, 7.3, n_macro),  # 1M to 20M
            rng.uniform(2.3, 2.95, below_threshold),  # under 1,000: left out of plans
        ]
    )
    followers = np.minimum(np.floor(10**log_f), np.where(log_f < 6, 999_999, np.inf))
    followers = np.where((log_f >= 3) & (followers < 1000), 1000, followers).astype(np.int64)
    platforms = rng.choice(list(PLATFORM_SHARES), size=n, p=list(PLATFORM_SHARES.values()))
    rate = np.array([DEFAULT_RATE_CARD[p] for p in platforms])
    log_followers = np.log10(np.maximum(followers, 1))

    if rate_card_priced:
        quality = np.ones(n)
        engagement = (
            0.03 * rate / DEFAULT_RATE_CARD["instagram"] * (1 + 0.01 * rng.standard_normal(n))
        )
        price = np.round(followers / 1000 * rate, 2)
    else:
        typical = np.empty(n)
        for platform, anchors in ENGAGEMENT_ANCHORS.items():
            mask = platforms == platform
            typical[mask] = _interpolate(anchors, log_followers[mask])
        engagement = typical * rng.lognormal(0.0, 0.35, n)
        clean = rng.random(n) < _interpolate(CLEAN_SHARE_ANCHORS, log_followers)
        quality = np.where(clean, rng.uniform(0.90, 0.99, n), rng.uniform(0.55, 0.90, n))
        # Rate card per 1,000 followers with a spread of about +-30%; IMH's nano floor of $10.
        price = np.maximum(10.0, np.round(followers / 1000 * rate * rng.lognormal(0.0, 0.3, n)))
    engagement = np.clip(engagement, 0.001, 0.6)

    max_posts = np.where(rng.random(n) < 0.1, rng.integers(1, 3, n), -1)
    table = pd.DataFrame(
        {
            "name": _names(rng, n),
            "platform": platforms,
            "niche": rng.choice(NICHES, size=n),
            "followers": followers,
            "engagement_rate": np.round(engagement, 4),
            "cost_per_post": price,
            "max_posts": pd.array(np.where(max_posts >= 0, max_posts, 0), dtype="Int64"),
            "audience_quality": np.round(quality, 3),
        }
    )
    table.loc[max_posts < 0, "max_posts"] = pd.NA
    return table.sample(frac=1.0, random_state=seed).reset_index(drop=True)
