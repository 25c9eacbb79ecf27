"""The dashboard's settings: their URL names, defaults and bounds, in one place.

Every setting is a widget whose value a query parameter of the same name carries, so the address
bar is always a link to the current scenario: bound by Streamlit (`bind="query-params"`) for the
settings always in view, written and read with `to_link` and `from_link` for those in sections
of the sidebar drawn only while open (`ui/sidebar.py`). A parameter that cannot be used is
dropped; `check_link` says which ones and why, so the app can tell the person who opened the
link.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from planner import DEFAULT_RATE_CARD, Campaign, RateCard, Roster, SettingsError, Tiers
from planner.money import DEFAULT_CURRENCY, currency_label, money
from planner.outreach import DEFAULT_STRATEGY, STRATEGIES, Strategy
from planner.risk import Assumptions, reply_weighted_engagement

_TIERS = Tiers()
_CAMPAIGN = Campaign(budget=100_000)
_RISK = Assumptions()


@dataclass(frozen=True)
class Setting:
    key: str  # widget key and query parameter
    label: str
    default: object
    low: float | None = None
    high: float | None = None
    step: float | None = None
    whole: bool = False  # a whole number
    optional: bool = False  # empty means "no cap"
    repeated: int = 1  # values in the parameter (2 for a range)
    help: str = ""
    choices: tuple[str, ...] = ()  # a setting that is one of these words
    money: bool = False  # an amount of money: its label names the roster's currency


BUDGET = Setting(
    "budget",
    "Budget ($)",
    float(_CAMPAIGN.budget),
    100.0,
    50_000_000.0,
    1_000.0,
    help="What the campaign can spend on sponsored posts in total. The plan never spends more.",
    money=True,
)
BUDGET_SLIDER_MAX = 1_000_000.0
MACRO_SHARE = Setting(
    "macro_share",
    "Share of budget on macro influencers (%)",
    (round(_CAMPAIGN.macro_share_min * 100), round(_CAMPAIGN.macro_share_max * 100)),
    0,
    100,
    1,
    whole=True,
    repeated=2,
    help="Keep macro spend (influencers with {macro}) within this band, e.g. 20–60% when "
    "the client wants some big names but not only big names. 0–100% lets the planner decide.",
)
MAX_POSTS = Setting(
    "max_posts",
    "Posts per influencer (most)",
    _CAMPAIGN.max_posts,
    1,
    10,
    1,
    whole=True,
    help="The most sponsored posts one influencer may be booked for. A roster column "
    "'max_posts' overrides it for single influencers.",
)
DECAY = Setting(
    "decay",
    "Repeat-post engagement",
    float(_CAMPAIGN.decay),
    0.05,
    1.0,
    0.05,
    help="Each repeat post to the same audience earns this fraction of the previous one "
    "(audience fatigue). 0.8 = the second post earns 80% of the first; 1 = no fatigue.",
)
MAX_MACRO = Setting(
    "max_macro",
    "Most macro influencers",
    None,
    0,
    10_000,
    1,
    whole=True,
    optional=True,
    help="Book at most this many macro influencers ({macro}). Empty = no cap.",
)
MAX_INFLUENCERS = Setting(
    "max_influencers",
    "Most influencers in total",
    None,
    0,
    100_000,
    1,
    whole=True,
    optional=True,
    help="Book at most this many influencers, micro and macro together: each one is a contract "
    "and a brief to manage. Empty = no cap. With a cap, large rosters take longer to plan.",
)
MICRO_THRESHOLD = Setting(
    "micro_threshold",
    "Smallest micro influencer (followers)",
    _TIERS.micro_threshold,
    1,
    100_000_000,
    100,
    whole=True,
    help="Accounts with fewer followers are not influencers for this plan; they are listed as "
    "left out.",
)
MACRO_THRESHOLD = Setting(
    "macro_threshold",
    "Smallest macro influencer (followers)",
    _TIERS.macro_threshold,
    2,
    1_000_000_000,
    10_000,
    whole=True,
    help="From this many followers an influencer counts as macro; below it, as micro.",
)
ESTIMATE_PRICES = Setting(
    "estimate_prices",
    "Estimate missing prices from the rate card",
    False,
    help="When the roster has no price for some influencers, estimate one from their followers "
    "and platform with the rate card below. Estimated prices are marked in every output.",
)
RATE_CARD = tuple(
    Setting(
        f"rate_{platform}",
        f"{'X (Twitter)' if platform == 'x' else platform.capitalize()} ($ per 1,000 followers)",
        price,
        0.01,
        1_000.0,
        0.5,
        help=(
            "Price of one post per 1,000 followers for platforms the card does not name."
            if platform == "other"
            else f"Price of one {platform} post per 1,000 followers."
        ),
        money=True,
    )
    for platform, price in DEFAULT_RATE_CARD.items()
)

# The switch PLAN_BASIS replaced: no widget; read from old links and saved scenarios only.
PLAN_FOR_REPLIES = Setting(
    "plan_for_replies",
    "Plan for offers that may be declined",
    False,
    help="Weigh each influencer's engagement by how likely they are to accept (their reply "
    "rate), so the plan prefers influencers who answer. Off = plan as if every offer is accepted.",
)
# The plan the outreach starts from (planner/outreach.py STRATEGIES; docs/outreach.md has the
# measurement that chose the default). Replaces the `plan_for_replies` switch: a link or a saved
# scenario with `plan_for_replies=true` means the reply-weighted plan (`upgrade_link`).
PLAN_BASIS = Setting(
    "plan_basis",
    "Plan the offers for",
    DEFAULT_STRATEGY,
    choices=tuple(STRATEGIES),
    help="Which certified plan the outreach starts from; declined offers are then replaced by "
    "backups in rounds. *Expected acceptances* (the default): each offer counts at its reply "
    "rate in the engagement and in the budget, so the offers' expected bookings fill the "
    "budget; it earned the most after declines and backups in the planner's measurements "
    "(docs/outreach.md). *Reply-weighted engagement*: engagement weighted by reply rates, full "
    "prices in the budget. *Every offer accepted*: the plan as if nobody declined.",
)
PLAN_BASIS_WORDS = {
    "expected": "Expected acceptances",
    "reply_weighted": "Reply-weighted engagement",
    "plan": "Every offer accepted",
}
ROUNDS = Setting(
    "rounds",
    "Rounds of offers",
    _RISK.rounds,
    1,
    20,
    1,
    whole=True,
    help="How many rounds of offers the marketer sends before the campaign starts: the first "
    "round sends the first offers on the outreach list, and each later round offers backups for "
    "the budget that declined offers left open (1 = declined offers are not replaced). What is "
    "unspent after the last round stays unspent. Default 3 is an assumption: no published "
    "figure says how many rounds marketers send.",
)
TARGET = Setting(
    "target",
    "Engagement target",
    None,
    0,
    1e12,
    10_000,
    whole=True,
    optional=True,
    help="The engagements the client hopes for. The headline shows the chance that the campaign "
    "reaches it, from the same simulated campaigns as its other figures. Empty = what the "
    "campaign is expected to earn after declines and backups.",
)
REPLY_MICRO = Setting(
    "reply_micro",
    "Micro reply rate (%)",
    round(_RISK.reply_micro * 100),
    0,
    100,
    1,
    whole=True,
    help="Chance that a micro influencer answers and accepts the offer, where the roster has no "
    "reply_rate. Default 40%: about 40% of contacted influencers respond (Heepsy).",
)
REPLY_MACRO = Setting(
    "reply_macro",
    "Macro reply rate (%)",
    round(_RISK.reply_macro * 100),
    0,
    100,
    1,
    whole=True,
    help="Chance that a macro influencer answers and accepts, where the roster has no "
    "reply_rate. Default 20% is an assumption: macro influencers often do not reply at all, "
    "and no published figure says how often.",
)
SPREAD_MICRO = Setting(
    "spread_micro",
    "Micro post spread",
    _RISK.spread_micro,
    0.0,
    3.0,
    0.05,
    help="How far one micro post's engagement typically lands from its expectation (0.5 = "
    "about 50% above or below). An assumption: no published figure. A roster column "
    "'engagement_spread' sets it per influencer.",
)
SPREAD_MACRO = Setting(
    "spread_macro",
    "Macro post spread",
    _RISK.spread_macro,
    0.0,
    3.0,
    0.05,
    help="The same for one macro post. An assumption: no published figure.",
)
SHARED_SPREAD = Setting(
    "shared_spread",
    "Campaign-wide spread",
    _RISK.shared_spread,
    0.0,
    3.0,
    0.05,
    help="How much the whole campaign rises or falls together (the creative lands or not). "
    "Spreading the budget over many influencers cannot reduce this part. An assumption.",
)
RISK = (REPLY_MICRO, REPLY_MACRO, SPREAD_MICRO, SPREAD_MACRO, SHARED_SPREAD)

ALL: tuple[Setting, ...] = (
    BUDGET,
    MACRO_SHARE,
    MAX_POSTS,
    DECAY,
    MAX_MACRO,
    MAX_INFLUENCERS,
    MICRO_THRESHOLD,
    MACRO_THRESHOLD,
    ESTIMATE_PRICES,
    *RATE_CARD,
    PLAN_BASIS,
    ROUNDS,
    TARGET,
    *RISK,
)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


EXCERPT = 24  # a bad value is quoted up to this many characters


def _excerpt(values: list[str]) -> str:
    """A short quote of a parameter's values for a message: the first two, each cut to
    `EXCERPT` characters, and how many more there are (a link can repeat a parameter a
    thousand times)."""
    quoted = ", ".join(repr(v if len(v) <= EXCERPT else v[:EXCERPT] + "…") for v in values[:2])
    more = len(values) - 2
    return quoted + (f" and {more:,} more" if more > 0 else "")


def _problem(setting: Setting, values: list[str]) -> str | None:
    """Why these URL values cannot be used for the setting, or None when they can."""
    shown = _excerpt(values)
    if setting.choices:
        if len(values) == 1 and values[0] in setting.choices:
            return None
        return f"{shown} is not one of {', '.join(setting.choices)}"
    if setting.default is False or setting.default is True:
        if values in (["true"], ["false"], ["True"], ["False"]):
            return None
        return f"{shown} is not true or false"
    if len(values) != setting.repeated:
        wanted = "one value" if setting.repeated == 1 else f"{setting.repeated} values"
        return f"{len(values):,} values ({shown}) where it takes {wanted}"
    numbers = [_number(v) for v in values]
    if any(n is None for n in numbers):
        return f"{shown} is not a number"
    for n in numbers:
        assert n is not None
        if setting.whole and not float(n).is_integer():
            return f"{value_text(setting, n)} is not a whole number"
        if (setting.low is not None and n < setting.low) or (
            setting.high is not None and n > setting.high
        ):
            return (
                f"{value_text(setting, n)} is outside {value_text(setting, setting.low)}–"
                f"{value_text(setting, setting.high)}"
            )
    if setting.repeated == 2 and numbers[0] > numbers[1]:  # type: ignore[operator]
        return f"the range {shown} starts above where it ends"
    return None


def check_link(params: Mapping[str, list[str]]) -> list[str]:
    """One sentence per setting whose value in the link cannot be used (it falls back to its
    default); unknown parameters are ignored."""
    problems = []
    for setting in (*ALL, PLAN_FOR_REPLIES):  # and the old switch a link may still carry
        values = params.get(setting.key)
        if not values:
            continue
        reason = _problem(setting, list(values))
        if reason is not None:
            default = setting.default
            shown = "no cap" if default is None else _format_default(setting)
            problems.append(
                f"{setting.label.split(' (')[0]}: in the link, {reason}; using {shown}."
            )
    return problems


def canonical_link(params: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The link's parameters with each setting's values as the app writes them (`to_link`'s
    form: `5` for 5.0, `true`), and without those `check_link` refuses, so that the widgets
    bound to the link read exactly the value the check said would be used (Streamlit reads
    `5.0` for a whole-number widget, or the last of repeated values, its own way). Other
    parameters are kept as they are."""
    settings = {s.key: s for s in ALL}
    clean: dict[str, list[str]] = {}
    params = upgrade_link(params)
    if PLAN_FOR_REPLIES.key in params:  # a value that is not true or false: refused
        params = {k: v for k, v in params.items() if k != PLAN_FOR_REPLIES.key}
    for key, values in params.items():
        setting = settings.get(key)
        if setting is None:
            clean[key] = list(values)
            continue
        if not values or _problem(setting, list(values)) is not None:
            continue
        value = _typed(setting, list(values))
        items = list(value) if isinstance(value, tuple) else [value]
        clean[key] = [_text(setting, item) for item in items]
    return clean


def _text(setting: Setting, value: object) -> str:
    if setting.choices:
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if setting.whole or number.is_integer() else repr(number)


def from_link(setting: Setting, values: list[str]) -> object:
    """The setting's value from its URL parameter's values, or its default when the link has
    none that can be used (`check_link` says why)."""
    if not values or _problem(setting, values) is not None:
        return setting.default
    return _typed(setting, list(values))


def to_link(setting: Setting, value: object) -> str | None:
    """The setting's URL parameter value (`from_link` reads it back), or None for the default,
    which a link leaves out. For settings of one value."""
    if value == setting.default or value is None:
        return None
    return _text(setting, value)


def _format_default(setting: Setting) -> str:
    default = setting.default
    if setting.choices:
        return PLAN_BASIS_WORDS.get(str(default), str(default)).lower()
    if isinstance(default, bool):
        return "on" if default else "off"
    if isinstance(default, tuple):
        return f"{default[0]}–{default[1]}%"
    if setting is BUDGET:
        return money(float(default))  # type: ignore[arg-type]
    return f"{default:g}" if isinstance(default, (int, float)) else str(default)


def campaign_from(values: Mapping[str, object]) -> Campaign:
    """The campaign the widgets describe (raises SettingsError with every problem)."""
    low, high = values[MACRO_SHARE.key]  # type: ignore[misc]
    return Campaign(
        budget=budget_in_range(values[BUDGET.key])[0],
        max_posts=int(values[MAX_POSTS.key]),  # type: ignore[call-overload]
        decay=round(float(values[DECAY.key]), 4),  # type: ignore[arg-type]
        macro_share_min=low / 100,
        macro_share_max=high / 100,
        max_macro=_optional_int(values.get(MAX_MACRO.key)),
        max_influencers=_optional_int(values.get(MAX_INFLUENCERS.key)),
    )


def planner_settings_from(
    values: Mapping[str, object],
) -> tuple[Tiers, RateCard | None, Campaign, Assumptions]:
    """Tier thresholds, rate card (None unless prices are to be estimated), campaign and risk
    assumptions from the widgets' values (raises SettingsError with every problem of the first
    that cannot be made)."""
    rate_card = rate_card_from(values) if values[ESTIMATE_PRICES.key] else None
    return tiers_from(values), rate_card, campaign_from(values), assumptions_from(values)


def tiers_from(values: Mapping[str, object]) -> Tiers:
    return Tiers(
        micro_threshold=int(values[MICRO_THRESHOLD.key]),  # type: ignore[call-overload]
        macro_threshold=int(values[MACRO_THRESHOLD.key]),  # type: ignore[call-overload]
    )


def rate_card_from(values: Mapping[str, object]) -> RateCard:
    return RateCard(
        {s.key.removeprefix("rate_"): float(values[s.key]) for s in RATE_CARD}  # type: ignore[arg-type]
    )


def assumptions_from(values: Mapping[str, object]) -> Assumptions:
    return Assumptions(
        reply_micro=float(values[REPLY_MICRO.key]) / 100,  # type: ignore[arg-type]
        reply_macro=float(values[REPLY_MACRO.key]) / 100,  # type: ignore[arg-type]
        spread_micro=round(float(values[SPREAD_MICRO.key]), 4),  # type: ignore[arg-type]
        spread_macro=round(float(values[SPREAD_MACRO.key]), 4),  # type: ignore[arg-type]
        shared_spread=round(float(values[SHARED_SPREAD.key]), 4),  # type: ignore[arg-type]
        rounds=int(values[ROUNDS.key]),  # type: ignore[call-overload]
    )


def strategy_of(values: Mapping[str, object]) -> Strategy:
    """The plan the outreach starts from (`PLAN_BASIS`)."""
    return values[PLAN_BASIS.key]  # type: ignore[return-value]


def upgrade_link(params: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """A link's parameters in today's names: `plan_for_replies=true` (the switch `PLAN_BASIS`
    replaced) becomes `plan_basis=reply_weighted`, the plan it meant, unless the link names a
    plan basis itself; `plan_for_replies=false` is dropped (it meant the plan as if every offer
    were accepted before outreach was modelled: today's default plans for expected acceptances,
    which earns more after declines). A value that is not true or false is left in place for
    `check_link` to report."""
    clean = {key: list(values) for key, values in params.items()}
    old = clean.get(PLAN_FOR_REPLIES.key)
    if old is None or _problem(PLAN_FOR_REPLIES, old) is not None:
        return clean
    del clean[PLAN_FOR_REPLIES.key]
    if _typed(PLAN_FOR_REPLIES, old) and PLAN_BASIS.key not in clean:
        clean[PLAN_BASIS.key] = ["reply_weighted"]
    return clean


Replies = tuple[float, float] | None  # (micro, macro) reply rates when planning for them


def first_values(roster: Roster, replies: Replies) -> np.ndarray | None:
    """The planner's value of each influencer's first post when planning for declined offers
    (engagement weighted by reply rates), else None (engagement as it is)."""
    if replies is None:
        return None
    rates = Assumptions(reply_micro=replies[0], reply_macro=replies[1])
    return reply_weighted_engagement(roster.table, rates)


def _optional_int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def values_from_saved(saved: Mapping[str, object]) -> tuple[dict[str, object], list[str]]:
    """Widget values from a saved scenario's settings, and one sentence per stored value that
    cannot be used (it takes the default). A setting the scenario does not have (it was added
    after the scenario was saved) takes its default silently."""
    values: dict[str, object] = {}
    problems = []
    if saved.get(PLAN_FOR_REPLIES.key) is True and PLAN_BASIS.key not in saved:
        # saved before the plan basis replaced the switch: it meant the reply-weighted plan
        saved = {**saved, PLAN_BASIS.key: "reply_weighted"}
    for setting in ALL:
        if setting.key not in saved:
            values[setting.key] = setting.default
            continue
        raw = saved[setting.key]
        if raw is None and setting.optional:
            values[setting.key] = None
            continue
        items = list(raw) if isinstance(raw, (list, tuple)) else [raw]
        reason = _problem(
            setting, [str(item).lower() if isinstance(item, bool) else str(item) for item in items]
        )
        if reason is not None:
            values[setting.key] = setting.default
            problems.append(
                f"{setting.label.split(' (')[0]}: in the saved scenario, {reason}; using "
                f"{'no cap' if setting.default is None else _format_default(setting)}."
            )
            continue
        values[setting.key] = _typed(setting, items)
    return values, problems


def _typed(setting: Setting, items: list[object]) -> object:
    if setting.choices:
        return str(items[0])
    if isinstance(setting.default, bool):
        value = items[0]
        return value if isinstance(value, bool) else str(value).lower() == "true"
    numbers = [float(i) for i in items]  # type: ignore[arg-type]
    if setting.whole:
        numbers = [int(n) for n in numbers]  # type: ignore[misc]
    return tuple(numbers) if setting.repeated == 2 else numbers[0]


def label_of(setting: Setting, currency: str = DEFAULT_CURRENCY) -> str:
    """A setting's label as the page shows it: money settings in the roster's currency
    (`Budget (€)`, `Instagram (CHF per 1,000 followers)`); their labels are written in
    dollars (`$`), the currency of a roster that names none."""
    if not setting.money:
        return setting.label
    return setting.label.replace("$", currency_label(currency))


def help_of(setting: Setting, tiers: Tiers | None) -> str:
    """A setting's help text with the tier thresholds in use written in (`{micro}`, `{macro}`);
    without usable thresholds, a sentence that names no number."""
    micro, macro = tier_intro(tiers)
    return setting.help.format(micro=micro, macro=macro)


def tiers_or_none(values: Mapping[str, object]) -> Tiers | None:
    """The tier thresholds of these settings, or None when they cannot be used (the page says
    why elsewhere)."""
    try:
        return tiers_from(values)
    except (SettingsError, TypeError, ValueError, KeyError):
        return None


def tier_intro(tiers: Tiers | None) -> tuple[str, str]:
    """Who is micro and who is macro, for sentences: ("1,000–999,999 followers", "1M+
    followers"), or words without numbers when the thresholds cannot be used."""
    if tiers is None:
        return (
            "fewer followers than the macro threshold",
            "at least the macro threshold's followers",
        )
    return tiers.micro_words, tiers.macro_words


def describe(setting: Setting, value: object, currency: str = DEFAULT_CURRENCY) -> str:
    """A setting's value as a person reads it (for the client report), money in `currency`."""
    if value is None:
        if setting is TARGET:  # the headline's chance is then of the expected engagements
            return "not set: the chance shown is of the expected engagements"
        return "no cap" if setting.optional else "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if setting is PLAN_BASIS:
        return PLAN_BASIS_WORDS.get(str(value), str(value))
    if setting is BUDGET:  # the budget the plan used
        return money(budget_in_range(value)[0], cents=True, currency=currency)
    if setting is MACRO_SHARE:
        low, high = value  # type: ignore[misc]
        return f"{low}–{high}% of the budget"
    if setting in (REPLY_MICRO, REPLY_MACRO):
        return f"{value}%"
    if setting.key.startswith("rate_"):
        price = float(value)  # type: ignore[arg-type]
        return f"{money(price, cents=True, currency=currency)} per 1,000 followers"
    if setting.whole:
        return f"{int(value):,}"  # type: ignore[call-overload]
    return f"{float(value):g}"  # type: ignore[arg-type]


def value_text(setting: Setting, value: float) -> str:
    """A setting's number as a person reads it in a message: money for the budget, thousands
    separated, never in exponent form (`6e+07`)."""
    if setting is BUDGET:
        return money(value)
    number = float(value)
    return f"{int(number):,}" if number.is_integer() else f"{number:,.6g}"


def budget_in_range(value: object, currency: str = DEFAULT_CURRENCY) -> tuple[float, str | None]:
    """The budget the plan uses for a typed one, and, when the typed one is outside the
    planner's range (or empty), a sentence saying so and which budget is used instead. The
    budget's field has no bounds in the browser (a typed value beyond them would turn the field
    red and never reach the app), so this is the one place the range is checked. Money in
    `currency` (the roster's)."""

    def shown(amount: float) -> str:
        return money(amount, currency=currency)

    low, high = float(BUDGET.low), float(BUDGET.high)  # type: ignore[arg-type]
    span = f"from {shown(low)} to {shown(high)}"
    if value is None:
        used = float(BUDGET.default)  # type: ignore[arg-type]
        return used, f"The budget is empty: type one {span}. The plan uses {shown(used)}."
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number) or number > high:
        return high, (
            f"{shown(number)} is above the largest budget the planner takes ({shown(high)}): "
            f"type one {span}. The plan uses {shown(high)}."
        )
    if number < low:
        return low, (
            f"{shown(number)} is below the smallest budget the planner takes ({shown(low)}): "
            f"type one {span}. The plan uses {shown(low)}."
        )
    return number, None


def slider_note(budget: float, currency: str = DEFAULT_CURRENCY) -> str | None:
    """What to say under the budget slider when it cannot show the budget in use."""
    if clamp_to_slider(budget) == budget:
        return None

    def shown(amount: float) -> str:
        return money(amount, currency=currency)

    return (
        f"The slider covers {shown(BUDGET_SLIDER_LOW)} to {shown(BUDGET_SLIDER_MAX)}; the typed "
        f"budget, {shown(budget)}, is used."
    )


BUDGET_SLIDER_LOW = 1_000.0


def clamp_to_slider(budget: float) -> float:
    """The budget slider's value for a budget (the slider covers $1,000 to BUDGET_SLIDER_MAX)."""
    return min(max(float(budget), BUDGET_SLIDER_LOW), BUDGET_SLIDER_MAX)
