"""The dashboard's key figures: each with its label and its definition (shown on hover),
for the period and the one before. Arithmetic on dashboard.Facts only: no queries here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from campaigns.insights.selectors.figures import Section, percent, ratio
from campaigns.insights.selectors.ledger import HERE

if TYPE_CHECKING:
    from campaigns.insights.selectors.dashboard import Facts

CUR = "current"


def sections(f: Facts) -> list[Section]:
    member_rows = [
        f.kpi(
            "members",
            _("Members"),
            _("Members at the end of the period: joined before it ended and not erased."),
            "count",
            f.members_at_end,
            of_members=True,
        ),
        f.kpi(
            "new_members",
            _("New members"),
            _("Members who joined in the period."),
            "count",
            lambda n: f.counted.joined[n],
            of_members=True,
        ),
        f.kpi(
            "signup_rate",
            _("Sign-up rate"),
            _(
                "New members ÷ members at the start of the period × 100. The club does not see customers "
                "who are not members, so this is growth measured against the members you had."
            ),
            "percent",
            lambda n: percent(f.counted.joined[n], f.members_at(n, 0)),
            of_members=True,
        ),
        f.kpi(
            "active_share",
            _("Active members"),
            _(
                "Members with a visit or a purchase in the %(days)s days before the end of the period "
                "÷ members at the end × 100."
            )
            % {"days": f.economics.active_window_days},
            "percent",
            lambda n: percent(f.active_at(n, 1), f.members_at_end(n)),
            of_members=True,
        ),
        f.kpi(
            "churn",
            _("Churn"),
            _(
                "Members active at the start of the period who were no longer active at its end ÷ "
                "members active at the start × 100."
            ),
            "percent",
            lambda n: percent(f.counted.churned[n], f.active_at(n, 0)),
            of_members=True,
        ),
    ]
    purchase_rows = [
        f.kpi(
            "revenue",
            _("Members' purchases"),
            _("What members bought in the period, as registered at the till; refunds subtracted."),
            "kr",
            lambda n: f.here[n]["revenue"],
        ),
        f.kpi(
            "purchases",
            _("Purchases"),
            _("Purchases registered on members in the period, less refunds."),
            "count",
            lambda n: f.here[n]["purchases"],
        ),
        f.kpi(
            "frequency",
            _("Purchase frequency"),
            _("Purchases ÷ members who bought something in the period."),
            "number",
            lambda n: ratio(f.here[n]["purchases"], f.counted.buyers[n, HERE].buyers),
        ),
        f.kpi(
            "average_purchase",
            _("Average purchase"),
            _("Members' purchases in kroner ÷ purchases."),
            "kr",
            lambda n: _divide(f.here[n]["revenue"], f.here[n]["purchases"]),
        ),
        f.kpi(
            "repeat_share",
            _("Repeat-purchase share"),
            _("Members who bought at least twice in the period ÷ members who bought × 100."),
            "percent",
            lambda n: percent(f.counted.buyers[n, HERE].repeat, f.counted.buyers[n, HERE].buyers),
        ),
    ]
    point_rows = [
        f.kpi(
            "points_issued",
            _("Points issued"),
            _(
                "Points earned on purchases, bonuses and grants in the period, less points taken back "
                "by reversals."
            ),
            "points",
            lambda n: f.here[n]["issued"],
        ),
        f.kpi(
            "points_redeemed",
            _("Points redeemed"),
            _("Points spent on rewards in the period, less points given back for vouchers handed back."),
            "points",
            lambda n: f.here[n]["redeemed"],
        ),
        f.kpi(
            "redemption_rate",
            _("Redemption rate, points"),
            _("Points redeemed ÷ points issued in the period × 100."),
            "percent",
            lambda n: percent(f.here[n]["redeemed"], f.here[n]["issued"]),
        ),
        f.kpi(
            "vouchers_issued",
            _("Vouchers issued"),
            _("Vouchers bought with points, from full stamp cards and given as gifts in the period."),
            "count",
            lambda n: f.voucher.get(f"issued_{n}").count,
        ),
        f.kpi(
            "vouchers_used",
            _("Vouchers used"),
            _("Vouchers used at the till in the period."),
            "count",
            lambda n: f.voucher.get(f"used_{n}").count,
        ),
        f.kpi(
            "voucher_rate",
            _("Redemption rate, vouchers"),
            _("Vouchers used ÷ vouchers issued in the period × 100."),
            "percent",
            lambda n: percent(f.voucher.get(f"used_{n}").count, f.voucher.get(f"issued_{n}").count),
        ),
        f.kpi(
            "partner_usage",
            _("Partner vouchers used"),
            _("Members' vouchers for partner businesses that the partners marked as used in the period."),
            "count",
            lambda n: f.counted.partners[n][0],
            of_members=True,
        ),
        f.kpi(
            "partner_value",
            _("Partner vouchers, value"),
            _("The partner vouchers used in the period × each partner's value per voucher, in kroner."),
            "kr",
            lambda n: f.counted.partners[n][1],
            of_members=True,
        ),
    ]
    loyalty_rows = [
        f.kpi(
            "upgrade_rate",
            _("Tier upgrade rate"),
            _("Members who moved up at least one tier in the period ÷ members at the end × 100."),
            "percent",
            lambda n: percent(f.counted.upgraded[n], f.members_at_end(n)),
            of_members=True,
        ),
        f.kpi(
            "referral_rate",
            _("Referral rate"),
            _(
                "Members who brought at least one friend who joined in the period ÷ members at the "
                "period's end × 100."
            ),
            "percent",
            lambda n: f.counted.referrals[n].referral_rate,
            of_members=True,
        ),
        f.kpi(
            "referral_conversion",
            _("Referral conversion"),
            _(
                "Friends who joined through an invitation in the period and went on to qualify (a purchase "
                "or visit that was not refunded) ÷ friends who joined × 100."
            ),
            "percent",
            lambda n: f.counted.referrals[n].conversion,
            of_members=True,
        ),
        f.kpi(
            "referral_cost",
            _("Cost per referred customer"),
            _("What the referral rewards not taken back are worth ÷ friends who qualified."),
            "kr",
            lambda n: f.counted.referrals[n].cost_per_qualified_ore,
            of_members=True,
        ),
        f.kpi(
            "consent_email",
            _("Consent to e-mail"),
            _(
                "Members whose latest choice at the end of the period is yes to offers by e-mail ÷ members "
                "× 100."
            ),
            "percent",
            lambda n: percent(f.counted.consent[n]["email"], f.members_at_end(n)),
            of_members=True,
        ),
        f.kpi(
            "consent_sms",
            _("Consent to SMS"),
            _(
                "Members whose latest choice at the end of the period is yes to offers by SMS ÷ members "
                "× 100."
            ),
            "percent",
            lambda n: percent(f.counted.consent[n]["sms"], f.members_at_end(n)),
            of_members=True,
        ),
    ]

    money_rows = [
        f.kpi(
            "liability",
            _("Points liability at the end"),
            _(
                "Points members held at the end of the period × the point value (%(value)s kr per "
                "%(points)s points)."
            )
            % {"value": f.program.redeem_value_kr, "points": f.program.redeem_points},
            "kr",
            lambda n: f.program.value_ore(f.held(n)),
            of_members=True,
        ),
        f.kpi(
            "breakage",
            _("Breakage"),
            _("Points that expired plus vouchers whose last day passed unused in the period, in kroner."),
            "kr",
            f.breakage,
            of_members=True,
        ),
    ]
    referred_rows = [
        f.kpi(
            "referred_spend",
            _("Average spend, referred members"),
            _(
                "All purchases ever of members who joined through an invitation in the period "
                "÷ those members."
            ),
            "kr",
            lambda n: f.counted.referrals[n].referred_average_spend_ore if n == CUR else None,
            of_members=True,
        ),
        f.kpi(
            "other_spend",
            _("Average spend, other members"),
            _("All purchases ever of the other members ÷ those members."),
            "kr",
            lambda n: f.counted.referrals[n].other_average_spend_ore if n == CUR else None,
            of_members=True,
        ),
    ]
    return [
        Section("members", _("Members"), member_rows),
        Section("purchases", _("Purchases"), purchase_rows),
        Section("points", _("Points and vouchers"), point_rows),
        Section("loyalty", _("Tiers, referrals and consent"), loyalty_rows + referred_rows),
        Section("money", _("Money"), money_rows),
    ]


def _divide(ore_total: int, count: int) -> int | None:
    return ore_total // count if count else None
