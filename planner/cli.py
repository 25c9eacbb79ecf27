"""Command line: `python -m planner plan --roster FILE --budget AMOUNT …` (MODEL.md), and
`python -m planner simulate …` with the same options plus --draws, --seed, --target and the
outreach options (--outreach, --rounds, --backup-order)."""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import sys
from collections.abc import Sequence
from typing import Any, cast

import numpy as np

from planner.export import neutralise, plan_table
from planner.money import DEFAULT_CURRENCY, currency_label, money, money_prefix, money_rate
from planner.outreach import (
    BACKUP_ORDERS,
    DEFAULT_BACKUP_ORDER,
    DEFAULT_STRATEGY,
    FILLED,
    STRATEGIES,
    Forecast,
    forecast,
)
from planner.plan import Plan, make_plan
from planner.risk import DRAWS, SEED, Assumptions, reply_weighted_engagement, simulate
from planner.roster import Roster, RosterError, read_roster
from planner.settings import Campaign, RateCard, SettingsError, Tiers

EXIT_BAD_INPUT = 2
FILLED_TEXT = f"{FILLED:.0%}"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one paragraph, exit 2, as MODEL.md asks
        raise _BadInput(f"{message}. Run 'python -m planner plan --help' for the options.")


class _BadInput(Exception):
    pass


def _share_band(text: str) -> tuple[float, float]:
    try:
        low, high = (float(part.strip().rstrip("%")) for part in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--macro-share takes MIN:MAX as fractions or percents, like 0.1:0.5 or 10:50 "
            f"(got {text!r})"
        ) from None
    if "%" in text or low > 1 or high > 1:
        low, high = low / 100, high / 100
    return low, high


def _column(text: str) -> tuple[str, str]:
    field, sep, header = text.partition("=")
    if not sep or not field.strip():
        raise argparse.ArgumentTypeError(
            f"--column takes FIELD=HEADER, like name=Nome or cost_per_post='Prezzo' (got {text!r})"
        )
    return field.strip(), header.strip()


def _decimal(text: str) -> tuple[str | None, str]:
    column, sep, choice = text.rpartition("=")
    choice = choice.strip().lower()
    if choice not in ("comma", "point"):
        raise argparse.ArgumentTypeError(
            f"--decimal takes comma or point, or COLUMN=comma|point for one column (got {text!r})"
        )
    return (column.strip() if sep else None), choice


def _add_plan_options(plan: argparse.ArgumentParser) -> None:
    plan.add_argument("--roster", required=True, help="CSV or .xlsx roster")
    plan.add_argument(
        "--column",
        type=_column,
        action="append",
        default=[],
        metavar="FIELD=HEADER",
        help="the roster column holding a field, where its header is not recognised "
        "(repeatable; FIELD= with no header: the file has no such column)",
    )
    plan.add_argument(
        "--decimal",
        type=_decimal,
        action="append",
        default=[],
        metavar="comma|point",
        help="the decimal mark of number columns whose values do not show it (1.200); "
        "COLUMN=comma|point for one column (a field or a header; repeatable)",
    )
    plan.add_argument(
        "--currency",
        default=None,
        metavar="CODE",
        help="the campaign's currency (ISO code); default: the one the prices carry, else USD",
    )
    plan.add_argument(
        "--explain",
        action="store_true",
        help="print what was understood of the roster (columns, formats, rows left out) to stderr",
    )
    plan.add_argument("--budget", required=True, type=float, help="campaign budget")
    defaults = Campaign(budget=1.0)
    plan.add_argument(
        "--max-posts",
        type=int,
        default=defaults.max_posts,
        help=f"posts per influencer where the roster sets none (default {defaults.max_posts})",
    )
    plan.add_argument(
        "--decay",
        type=float,
        default=defaults.decay,
        help=f"engagement of each repeat post relative to the one before "
        f"(default {defaults.decay})",
    )
    plan.add_argument(
        "--macro-share",
        type=_share_band,
        default=(defaults.macro_share_min, defaults.macro_share_max),
        metavar="MIN:MAX",
        help="band for the macro tier's share of budget (default 0:1)",
    )
    plan.add_argument("--max-macro", type=int, default=None, help="cap on macro influencers")
    plan.add_argument(
        "--max-influencers", type=int, default=None, help="cap on influencers in total"
    )
    tiers = Tiers()
    plan.add_argument("--micro-threshold", type=int, default=tiers.micro_threshold)
    plan.add_argument("--macro-threshold", type=int, default=tiers.macro_threshold)
    plan.add_argument(
        "--estimate-prices",
        action="store_true",
        help="estimate missing prices from the default rate card "
        "(price per 1,000 followers by platform); marked as estimates",
    )
    assumed = Assumptions()
    plan.add_argument(
        "--plan-for-replies",
        action="store_true",
        help="plan for offers that may be declined: maximise engagement weighted by reply rates",
    )
    for name, help_text in (
        ("reply_micro", "reply rate of micro influencers without their own"),
        ("reply_macro", "reply rate of macro influencers without their own"),
        ("spread_micro", "spread of a micro post's engagement (coefficient of variation)"),
        ("spread_macro", "spread of a macro post's engagement (coefficient of variation)"),
        ("shared_spread", "spread of the campaign-wide shock (coefficient of variation)"),
    ):
        plan.add_argument(
            "--" + name.replace("_", "-"),
            type=float,
            default=getattr(assumed, name),
            help=f"{help_text} (default {getattr(assumed, name)}, an assumption: see README)",
        )


def _parser() -> _Parser:
    parser = _Parser(prog="python -m planner", description="Plan an influencer campaign budget.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    plan = sub.add_parser("plan", help="the optimal posts per influencer for a budget")
    _add_plan_options(plan)
    plan.add_argument("--format", choices=("table", "json", "csv"), default="table")
    simulate = sub.add_parser(
        "simulate", help="the range of outcomes of the optimal plan, by simulation"
    )
    _add_plan_options(simulate)
    simulate.add_argument("--draws", type=int, default=DRAWS, help=f"default {DRAWS:,}")
    simulate.add_argument("--seed", type=int, default=SEED, help=f"default {SEED}")
    simulate.add_argument(
        "--target", type=float, default=None, help="engagements to reach: prints the probability"
    )
    simulate.add_argument("--format", choices=("table", "json"), default="table")
    simulate.add_argument(
        "--outreach",
        choices=(*STRATEGIES, "off"),
        default=DEFAULT_STRATEGY,
        help="which plan and backups the offers go to, simulated with declines and backups: "
        + "; ".join(f"{name}: {text}" for name, text in STRATEGIES.items())
        + f"; off: the plan alone, declined offers not replaced (default {DEFAULT_STRATEGY})",
    )
    simulate.add_argument(
        "--rounds",
        type=int,
        default=Assumptions().rounds,
        help=f"rounds of offers before the campaign starts (default {Assumptions().rounds}, "
        "an assumption: see README)",
    )
    simulate.add_argument(
        "--backup-order",
        choices=tuple(BACKUP_ORDERS),
        default=DEFAULT_BACKUP_ORDER,
        help="how backups are ranked: "
        + "; ".join(f"{name}: {text}" for name, text in BACKUP_ORDERS.items())
        + f" (default {DEFAULT_BACKUP_ORDER})",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        tiers = Tiers(args.micro_threshold, args.macro_threshold)
        campaign = Campaign(
            budget=args.budget,
            max_posts=args.max_posts,
            decay=args.decay,
            macro_share_min=args.macro_share[0],
            macro_share_max=args.macro_share[1],
            max_macro=args.max_macro,
            max_influencers=args.max_influencers,
        )
        assumptions = Assumptions(
            reply_micro=args.reply_micro,
            reply_macro=args.reply_macro,
            spread_micro=args.spread_micro,
            spread_macro=args.spread_macro,
            shared_spread=args.shared_spread,
            rounds=getattr(args, "rounds", Assumptions().rounds),
        )
        if args.command == "simulate" and not 1 <= args.draws <= 1_000_000:
            raise _BadInput(f"--draws must be between 1 and 1,000,000 (got {args.draws})")
        if args.command == "simulate" and args.plan_for_replies and args.outreach != "off":
            raise _BadInput(
                "--plan-for-replies chooses the plan of --outreach off; with outreach, choose "
                "the plan with --outreach (reply_weighted plans for reply-weighted engagement)"
            )
        roster = read_roster(
            args.roster,
            tiers=tiers,
            rate_card=RateCard() if args.estimate_prices else None,
            columns=dict(args.column),
            decimal=_decimal_choice(args.decimal),
            currency=args.currency,
        )
        if args.explain:
            print(roster.understood.text(), file=sys.stderr)
        else:  # what was read one of two ways the file allows: said even unasked
            for check in roster.understood.checks:
                print(f"check: {check}", file=sys.stderr)
    except RosterError as error:
        print(f"error: {error.summary()}{_hints(error)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (SettingsError, _BadInput) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SystemExit as done:  # --help
        return int(done.code or 0)

    weights = (
        reply_weighted_engagement(roster.table, assumptions) if args.plan_for_replies else None
    )
    plan = make_plan(roster, campaign, first_value=weights)
    if args.command == "simulate":
        if args.outreach != "off":
            result = forecast(
                roster,
                campaign,
                assumptions,
                strategy=args.outreach,
                backup_order=args.backup_order,
                draws=args.draws,
                seed=args.seed,
                target=args.target,
                if_all_accepted=plan,
            )
            return _print_forecast(args, result, assumptions, roster.currency)
        return _simulate(args, roster, plan, assumptions)
    if args.format == "json":
        payload = plan.to_dict()
        payload["currency"] = roster.currency
        derived = set(roster.table.loc[roster.table["engagement_derived"], "name"])
        payload["engagement_derived"] = bool(derived)
        for allocation in cast(list[dict[str, object]], payload["allocations"]):
            allocation["engagement_derived"] = allocation["name"] in derived
        payload["excluded"] = json.loads(roster.excluded.to_json(orient="records"))
        print(json.dumps(payload, indent=2))
    elif args.format == "csv":
        out = io.StringIO()
        neutralise(plan_table(plan, roster)).to_csv(out, index=False)
        sys.stdout.write(out.getvalue())
    else:
        print(_table(plan, roster))
    return 0


def _decimal_choice(choices: list[tuple[str | None, str]]) -> Any:
    """--decimal options as `check_roster`'s `decimal`: one mark, or one per column."""
    everywhere = [choice for column, choice in choices if column is None]
    per_column = {column: choice for column, choice in choices if column is not None}
    if everywhere and not per_column:
        return everywhere[-1]
    if everywhere:
        raise _BadInput("--decimal: give one mark for every column, or COLUMN=MARK options")
    return per_column or None


def _hints(error: RosterError) -> str:
    """What to run again with, after the roster's problems."""
    hints = []
    if error.missing_prices:
        hints.append(
            "Add prices, or run again with --estimate-prices to estimate them from the rate card."
        )
    if error.ambiguous:
        columns = ", ".join(f"'{a.column}'" for a in error.ambiguous)
        hints.append(
            f"For {columns}: run again with --decimal comma or --decimal point (or "
            "--decimal COLUMN=comma for one column)."
        )
    for field in error.unmapped:
        guess = error.suggestions.get(field)
        header = guess.header if guess is not None else "HEADER"
        hints.append(f"To say which column holds {field}: --column {field}={header!r}.")
    return "".join("\n" + hint for hint in hints)


def _simulate(
    args: argparse.Namespace, roster: Roster, plan: Plan, assumptions: Assumptions
) -> int:
    if not plan.has_plan or plan.booked_nothing:
        if args.format == "json":
            print(json.dumps({"status": plan.status, "message": plan.message}, indent=2))
        else:
            print(f"Status: {plan.status}\n{plan.message}")
        return 0
    outcome = simulate(roster, plan, assumptions, draws=args.draws, seed=args.seed)
    summary = outcome.summary(args.target)
    tiers = {
        name: {
            "mean": float(values.mean()),
            "p10": float(np.quantile(values, 0.1)),
            "p50": float(np.quantile(values, 0.5)),
            "p90": float(np.quantile(values, 0.9)),
        }
        for name, values in (("micro", outcome.micro), ("macro", outcome.macro))
    }
    if args.format == "json":
        payload = {
            "status": plan.status,
            "plan_expected_engagement": plan.expected_engagement,
            "plan_spend": plan.spend,
            "planned_for_replies": bool(args.plan_for_replies),
            "seed": args.seed,
            "currency": roster.currency,
            **summary,
            "by_tier": tiers,
            "assumptions": dataclasses.asdict(assumptions),
        }
        print(json.dumps(payload, indent=2))
        return 0
    lines = [
        f"Plan: {plan.status}, {plan.expected_engagement:,.0f} expected engagements"
        + (" (reply-weighted)" if args.plan_for_replies else " (if every offer is accepted)")
        + f", {money(plan.spend, cents=True, currency=roster.currency)} if every offer is accepted",
        f"Simulated {summary['draws']:,} campaigns (seed {args.seed}):",
        f"  engagements: mean {summary['mean']:,.0f}, P10 {summary['p10']:,.0f}, "
        f"P50 {summary['p50']:,.0f}, P90 {summary['p90']:,.0f}",
    ]
    for name, row in tiers.items():
        lines.append(
            f"  {name}: mean {row['mean']:,.0f}, P10 {row['p10']:,.0f}, P90 {row['p90']:,.0f}"
        )
    lines.append(
        "  spend on accepted offers: mean "
        + money(cast(float, summary["mean_spend"]), cents=True, currency=roster.currency)
    )
    if args.target is not None:
        lines.append(
            f"  chance of at least {args.target:,.0f} engagements: "
            f"{summary['probability_of_target']:.1%}"
        )
    print("\n".join(lines))
    return 0


def _print_forecast(
    args: argparse.Namespace, result: Forecast, assumptions: Assumptions, currency: str
) -> int:
    """The figures of the page's headline (`Forecast.summary`), as a table or JSON."""
    summary = result.summary()
    if args.format == "json":
        payload = {
            **summary,
            "seed": args.seed,
            "backup_order": args.backup_order,
            "assumptions": dataclasses.asdict(assumptions),
        }
        if not result.plan.has_plan:
            payload["message"] = result.plan.message
        print(json.dumps(payload, indent=2))
        return 0
    if not result.plan.has_plan:
        print(f"Status: {result.plan.status}\n{result.plan.message}")
        return 0
    print("\n".join(forecast_lines(result, args.seed, currency)))
    return 0


def chosen_line(result: Forecast) -> str:
    """Which candidate the forecast is, when it is not the plan for the campaign's band."""
    others = "; ".join(f"{_band(o.band)} {o.outcome.engagement.mean():,.0f}" for o in result.others)
    return f"Chosen: {_band(result.band)}, which earned the most after declines and backups" + (
        f" (against {others})" if others else ""
    )


def _band(band: tuple[float, float] | None) -> str:
    if band is None:
        return "the plan for the macro share band"
    if band[1] <= 0:
        return "all micro"
    return f"the split curve's band {band[0]:.0%}-{band[1]:.0%} on macro"


def forecast_lines(result: Forecast, seed: int, currency: str = DEFAULT_CURRENCY) -> list[str]:
    """The headline in plain lines (what `simulate` prints)."""
    s = result.summary()
    tiers: dict[str, dict[str, float]] = s["by_tier"]  # type: ignore[assignment]
    spend: dict[str, float] = s["spend"]  # type: ignore[assignment]
    certain: dict[str, object] = s["if_all_accepted"]  # type: ignore[assignment]
    lines = [
        f"Outreach: {result.strategy} ({STRATEGIES[result.strategy]}), "
        f"{s['rounds']} round{'s' if s['rounds'] != 1 else ''} of offers",
        f"Plan: {s['status']} (certified gap {s['optimality_gap']:.1e}), "
        f"{s['plan_offers']} offers in the plan, {s['outreach_list_length']} on the outreach list",
        *([chosen_line(result)] if result.candidate != "mix" else []),
        f"Expected after declines and backups ({s['draws']:,} simulated campaigns, seed {seed}):",
        f"  engagements: mean {s['mean']:,.0f} (P10 {s['p10']:,.0f} to P90 {s['p90']:,.0f}), "
        f"median {s['p50']:,.0f}",
    ]
    for name, row in tiers.items():
        lines.append(
            f"  {name}: mean {row['mean']:,.0f}, P10 {row['p10']:,.0f}, P90 {row['p90']:,.0f}"
        )
    unit = money_prefix(currency)
    lines += [
        f"  spend: mean {unit}{s['mean_spend']:,.2f} of {unit}{s['budget']:,.2f} "
        f"(P10 {unit}{spend['p10']:,.2f}); at least {FILLED_TEXT} of the budget booked in "
        f"{s['budget_filled']:.1%} of campaigns",
        f"  influencers to contact: {s['mean_contacted']:,.1f} on average "
        f"(P90 {s['p90_contacted']:,.0f}); booked: {s['mean_booked']:,.1f} on average",
    ]
    if s["target"] is not None:
        lines.append(
            f"  chance of at least {s['target']:,.0f} engagements: {s['probability_of_target']:.1%}"
        )
    if certain["status"] in ("optimal", "feasible"):
        lines.append(
            f"If every offer were accepted (not expected): {certain['expected_engagement']:,.0f} "
            f"engagements for {unit}{certain['spend']:,.2f}"
        )
    return lines


def _table(plan: Plan, roster: Roster) -> str:
    currency = roster.currency

    def cash(amount: float) -> str:
        return money(amount, cents=True, currency=currency)

    lines = [f"Status: {plan.status}"]
    if not plan.has_plan or plan.booked_nothing:
        lines.append(plan.message)
        return "\n".join(lines)
    lines += [
        f"Expected engagements: {plan.expected_engagement:,.0f}",
        f"Spend: {cash(plan.spend)} of {cash(plan.campaign.budget)} "
        f"({cash(plan.budget_left)} left)",
        f"Cost per engagement: {money_rate(plan.cost_per_engagement, 4, currency=currency)}",
        f"Certified optimality gap: {plan.optimality_gap:.2e} "
        f"(solved in {plan.solve_seconds * 1000:.0f} ms)",
    ]
    for tier, totals in plan.by_tier.items():
        lines.append(
            f"  {tier}: {totals.influencers} influencers, {totals.posts} posts, "
            f"{cash(totals.spend)}, {totals.expected_engagement:,.0f} engagements"
        )
    if plan.prices_estimated:
        lines.append("Prices marked * are estimates from the rate card.")
    derived = set(roster.table.loc[roster.table["engagement_derived"], "name"])
    if derived:
        lines.append(
            "Engagements marked ~ come from engagement rates derived from average likes and "
            "comments per post ÷ followers."
        )
    lines.append("")
    spend = f"spend ({currency_label(currency)})"
    header = f"{'name':<32} {'tier':<6} {'posts':>5} {spend:>12} {'engagements':>12}"
    lines += [header, "-" * len(header)]
    for row in plan.allocations.itertuples():
        mark = "*" if row.price_estimated else ""
        lines.append(
            f"{str(row.name)[:32]:<32} {row.tier:<6} {row.posts:>5} "
            f"{row.spend:>11,.2f}{mark:1} {row.expected_engagement:>12,.0f}"
            + ("~" if row.name in derived else "")
        )
    if len(roster.excluded):
        lines.append("")
        lines.append(f"Left out ({len(roster.excluded)}):")
        lines += [f"  {r.name}: {r.reason}" for r in roster.excluded.itertuples()]
    return "\n".join(lines)
