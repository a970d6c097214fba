from django.utils.translation import gettext_lazy as _

from clubsite.errors import CodedError
from members.services.accounts import MembersError


class RewardsError(CodedError):
    """A refused wallet operation. `code` is stable (tests, counter, API); `message` is shown."""

    messages = {
        "insufficient_points": _("Not enough points for this."),
        "invalid_points": _("Enter a whole number of points greater than zero."),
        "invalid_amount": _("Enter an amount greater than zero and below one million kroner."),
        "amount_above_limit": _(
            "That is more than the club allows for one purchase. Check the amount; the owner sets the limit."
        ),
        "amount_to_confirm": _("Are you sure? Check the amount before it is registered."),
        "invalid_stamps": _("Enter a number of stamps greater than zero."),
        "out_of_stock": _("Sorry, this reward is sold out."),
        "limit_reached": _("You have already taken this reward as many times as allowed."),
        "tier_too_low": _("This reward is for members of a higher tier."),
        "members_only": _("This reward is only for members with a paid membership."),
        "no_trial": _("This membership has no free trial. It can be bought at the till."),
        "trial_used": _("The free trial is once per member, and you have had yours or been a member."),
        "plan_not_on_sale": _("This membership is not on sale any more."),
        "other_plan": _("The member already has another membership running. Let it end first."),
        "not_a_member": _("There is no running membership to cancel."),
        "bad_rating": _("Choose from 1 to 5 stars."),
        "review_empty": _("Write a few words about your visit."),
        "poll_closed": _("This poll is closed. Thank you all the same!"),
        "poll_choice": _("Choose one of the answers."),
        "poll_answered": _("You have answered this poll already. Thank you!"),
        "partner_voucher": _("This voucher is a partner's offer: it is used at the partner, not here."),
        "wrong_pin": _("Wrong PIN. Try again."),
        "pin_locked": _("Too many wrong PINs. Wait a quarter of an hour and try again."),
        "cause_closed": _("This cause takes no more gifts right now."),
        "donation_too_small": _("Give at least as many points as one step of the cause's conversion."),
        "reward_unavailable": _("This reward is not available."),
        "voucher_not_found": _("No voucher has this code."),
        "voucher_expired": _("This voucher has expired."),
        "voucher_used": _("This voucher has already been used."),
        "voucher_cancelled": _("This voucher was cancelled."),
        "not_cancellable": _("This voucher cannot be handed back."),
        "duplicate_request": _("This request was already made with other details. Reload and try again."),
        "already_reversed": _("This has already been undone."),
        "cannot_reverse": _("This cannot be undone."),
        "already_refunded": _("This purchase has been refunded in part: refund the rest instead."),
        "refund_too_large": _("That is more than is left to refund of this purchase."),
        "not_a_purchase": _("Only a purchase can be refunded."),
        "stamp_limit_per_visit": _("That is more stamps than one visit may give on this card."),
        "card_inactive": _("This stamp card is not in use any more."),
        "reason_required": _("Give a reason."),
        # The counter.
        "scan_empty": _("Scan the member's card, or type a member number, mobile number or name."),
        "voucher_other_member": _("This voucher belongs to another member."),
        "stamp_limit_per_day": _("This member has had as many stamps today as the club allows."),
        "nothing_to_undo": _("There is nothing to undo for this member here."),
        "undo_window_passed": _("It is too late to undo this. Ask customer service to correct it."),
        "too_many_attempts": _("Too many unknown codes in a short time. Wait a few minutes and try again."),
        "not_allowed": _("Only customer service can do this."),
        "wrong_location": _("You are not registered at this shop."),
    }


def refusal_text(code: str) -> str:
    """A refused scan's or action's reason as staff were told it, whichever app refused it
    (the stored code stays for tests and logs)."""
    for error in (RewardsError, MembersError):
        if code in error.messages:
            return str(error.messages[code])
    return code
