"""The seeds' three formulas, each with the terms it is made of, for both periods.

    retention rate = (customers at end - new customers) / customers at start * 100
    LTV            = average purchase * purchases per year * retention rate
    ROI            = (extra revenue * gross margin - cost of benefits and operation - discounts) / costs

A "customer" in the retention rate is an *active* member (a purchase or visit within the
owner's active window), not anyone who has joined: members are seldom deleted, so with
joined members the rate was 100 % whatever happened. Customers at the end less the new
ones are those active at the start who still are, so the rate is 100 - churn, and follows
the shop filter as churn does (its own members). LTV follows it too: the purchases at the
shop. ROI is the whole club's (running costs are not per shop). Amounts in øre; the owner's
assumptions come from campaigns.models.ClubEconomics.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from campaigns.insights.selectors.figures import KR, NUMBER, PERCENT, Formula, Term, ore, percent
from campaigns.insights.selectors.period import Period
from campaigns.models import ClubEconomics

DAYS_PER_YEAR = Decimal(365)


def formulas(
    *,
    periods: dict[str, Period],
    active_start: dict[str, int],
    churned: dict[str, int],
    sales: dict[str, dict],
    here: dict[str, dict],
    buyers_here: dict[str, int],
    benefits_ore: dict[str, int],
    economics: ClubEconomics,
) -> list[Formula]:
    names = list(periods)  # current, previous
    margin, uplift = economics.gross_margin_percent, economics.uplift_percent
    discount = economics.member_discount_percent

    retention = {n: percent(active_start[n] - churned[n], active_start[n]) for n in names}
    days = economics.active_window_days
    average = {n: _div(here[n]["revenue"], here[n]["purchases"]) for n in names}
    per_year = {
        n: None
        if not buyers_here[n]
        else (Decimal(here[n]["purchases"]) / buyers_here[n] * DAYS_PER_YEAR / periods[n].days).quantize(
            Decimal("0.01")
        )
        for n in names
    }
    ltv = {
        n: None
        if None in (average[n], per_year[n], retention[n])
        else ore(average[n] * per_year[n] * retention[n] / 100)
        for n in names
    }
    revenue = {n: sales[n]["revenue"] for n in names}
    extra = {n: ore(Decimal(revenue[n]) * uplift / 100) for n in names}
    gain = {n: ore(Decimal(extra[n]) * margin / 100) for n in names}
    operation = {
        n: ore(Decimal(economics.monthly_operating_cost_kr * 100) * 12 * periods[n].days / DAYS_PER_YEAR)
        for n in names
    }
    discounts = {n: ore(Decimal(max(revenue[n], 0)) * discount / 100) for n in names}
    costs = {n: benefits_ore[n] + operation[n] + discounts[n] for n in names}
    roi = {n: percent(gain[n] - costs[n], costs[n]) for n in names}

    def pair(values: dict) -> tuple:
        return values[names[0]], values[names[1]]

    return [
        Formula(
            "retention",
            _("Retention rate"),
            _(
                "(active members at the start − those of them not active at the end) ÷ active "
                "members at the start × 100. Active: a purchase or visit in the last %(days)s days."
            )
            % {"days": days},
            PERCENT,
            *pair(retention),
            terms=[
                Term(
                    _("Active members at the start"),
                    _("A purchase or visit in the %(days)s days before the period began.") % {"days": days},
                    "count",
                    *pair(active_start),
                ),
                Term(
                    _("Of them, not active at the end"),
                    _("No purchase or visit in the %(days)s days before the period ended, or erased.")
                    % {"days": days},
                    "count",
                    *pair(churned),
                ),
            ],
        ),
        Formula(
            "ltv",
            _("Customer lifetime value (LTV)"),
            _("average purchase × purchases per year × retention rate"),
            KR,
            *pair(ltv),
            terms=[
                Term(
                    _("Average purchase"),
                    _("Members' purchases ÷ purchases (at the shop, when one is chosen)."),
                    KR,
                    *pair({n: ore(average[n]) for n in names}),
                ),
                Term(
                    _("Purchases per year"),
                    _("Purchases ÷ members who bought, scaled from the period's days to a year."),
                    NUMBER,
                    *pair(per_year),
                ),
                Term(_("Retention rate"), _("As above."), PERCENT, *pair(retention)),
            ],
        ),
        Formula(
            "roi",
            _("Return on investment (ROI)"),
            _("(extra revenue × gross margin − cost of benefits and operation − discounts) ÷ costs × 100"),
            PERCENT,
            *pair(roi),
            terms=[
                Term(
                    _("Members' purchases"),
                    _("Registered at the till in the period, refunds subtracted."),
                    KR,
                    *pair(revenue),
                ),
                Term(
                    _("Extra revenue"),
                    _(
                        "Members' purchases × the share you estimate the club brings in extra "
                        "(%(uplift)s %%, set in the club economics)."
                    )
                    % {"uplift": uplift},
                    KR,
                    *pair(extra),
                ),
                Term(
                    _("… × gross margin"),
                    _("Extra revenue × your gross margin (%(margin)s %%).") % {"margin": margin},
                    KR,
                    *pair(gain),
                ),
                Term(
                    _("Cost of benefits"),
                    _(
                        "Vouchers used in the period at their value: the points price × the point value, or "
                        "your value for vouchers without a points price."
                    ),
                    KR,
                    *pair(benefits_ore),
                ),
                Term(
                    _("Cost of operation"),
                    _("Your running cost per month (%(cost)s kr) × 12 ÷ 365 × the period's days.")
                    % {"cost": economics.monthly_operating_cost_kr},
                    KR,
                    *pair(operation),
                ),
                Term(
                    _("Discounts"),
                    _("Members' purchases × the member discount at the till (%(discount)s %%).")
                    % {"discount": discount},
                    KR,
                    *pair(discounts),
                ),
                Term(_("Costs"), _("Benefits + operation + discounts."), KR, *pair(costs)),
            ],
        ),
    ]


def _div(total_ore: int, count: int) -> Decimal | None:
    return Decimal(total_ore) / count if count else None
