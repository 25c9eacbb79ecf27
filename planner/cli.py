"""Command line: `python -m planner plan --roster FILE --budget AMOUNT …` (MODEL.md), and
`python -m planner simulate …` with the same options plus --draws, --seed and --target."""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import sys
from collections.abc import Sequence

import numpy as np

from planner.export import neutralise, plan_table
from planner.money import money, money_rate
from planner.plan import Plan, make_plan
from planner.risk import DRAWS, SEED, Assumptions, reply_weighted_engagement, simulate
from planner.roster import Roster, RosterError, read_roster
from planner.settings import Campaign, RateCard, SettingsError, Tiers

EXIT_BAD_INPUT = 2


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


def _add_plan_options(plan: argparse.ArgumentParser) -> None:
    plan.add_argument("--roster", required=True, help="CSV or .xlsx roster")
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
        )
        if args.command == "simulate" and not 1 <= args.draws <= 1_000_000:
            raise _BadInput(f"--draws must be between 1 and 1,000,000 (got {args.draws})")
        roster = read_roster(
            args.roster, tiers=tiers, rate_card=RateCard() if args.estimate_prices else None
        )
    except RosterError as error:
        hint = (
            " Add prices, or run again with --estimate-prices to estimate them from the rate card."
            if error.missing_prices
            else ""
        )
        print(f"error: {error.summary()}{hint}", file=sys.stderr)
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
        return _simulate(args, roster, plan, assumptions)
    if args.format == "json":
        payload = plan.to_dict()
        payload["excluded"] = roster.excluded.to_dict(orient="records")
        print(json.dumps(payload, indent=2))
    elif args.format == "csv":
        out = io.StringIO()
        neutralise(plan_table(plan)).to_csv(out, index=False)
        sys.stdout.write(out.getvalue())
    else:
        print(_table(plan, roster))
    return 0


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
            **summary,
            "by_tier": tiers,
            "assumptions": dataclasses.asdict(assumptions),
        }
        print(json.dumps(payload, indent=2))
        return 0
    lines = [
        f"Plan: {plan.status}, {plan.expected_engagement:,.0f} expected engagements"
        + (" (reply-weighted)" if args.plan_for_replies else " (if every offer is accepted)")
        + f", {money(plan.spend, cents=True)} if every offer is accepted",
        f"Simulated {summary['draws']:,} campaigns (seed {args.seed}):",
        f"  engagements: mean {summary['mean']:,.0f}, P10 {summary['p10']:,.0f}, "
        f"P50 {summary['p50']:,.0f}, P90 {summary['p90']:,.0f}",
    ]
    for name, row in tiers.items():
        lines.append(
            f"  {name}: mean {row['mean']:,.0f}, P10 {row['p10']:,.0f}, P90 {row['p90']:,.0f}"
        )
    lines.append(f"  spend on accepted offers: mean {money(summary['mean_spend'], cents=True)}")
    if args.target is not None:
        lines.append(
            f"  chance of at least {args.target:,.0f} engagements: "
            f"{summary['probability_of_target']:.1%}"
        )
    print("\n".join(lines))
    return 0


def _table(plan, roster) -> str:  # type: ignore[no-untyped-def]
    lines = [f"Status: {plan.status}"]
    if not plan.has_plan or plan.booked_nothing:
        lines.append(plan.message)
        return "\n".join(lines)
    lines += [
        f"Expected engagements: {plan.expected_engagement:,.0f}",
        f"Spend: {money(plan.spend, cents=True)} of {money(plan.campaign.budget, cents=True)} "
        f"({money(plan.budget_left, cents=True)} left)",
        f"Cost per engagement: {money_rate(plan.cost_per_engagement, 4)}",
        f"Certified optimality gap: {plan.optimality_gap:.2e} "
        f"(solved in {plan.solve_seconds * 1000:.0f} ms)",
    ]
    for tier, totals in plan.by_tier.items():
        lines.append(
            f"  {tier}: {totals.influencers} influencers, {totals.posts} posts, "
            f"{money(totals.spend, cents=True)}, {totals.expected_engagement:,.0f} engagements"
        )
    if plan.prices_estimated:
        lines.append("Prices marked * are estimates from the rate card.")
    lines.append("")
    header = f"{'name':<32} {'tier':<6} {'posts':>5} {'spend':>12} {'engagements':>12}"
    lines += [header, "-" * len(header)]
    for row in plan.allocations.itertuples():
        mark = "*" if row.price_estimated else ""
        lines.append(
            f"{str(row.name)[:32]:<32} {row.tier:<6} {row.posts:>5} "
            f"{row.spend:>11,.2f}{mark:1} {row.expected_engagement:>12,.0f}"
        )
    if len(roster.excluded):
        lines.append("")
        lines.append(f"Left out ({len(roster.excluded)}):")
        lines += [f"  {r.name}: {r.reason}" for r in roster.excluded.itertuples()]
    return "\n".join(lines)
