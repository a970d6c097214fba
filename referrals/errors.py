from django.utils.translation import gettext_lazy as _

from clubsite.errors import CodedError


class ReferralsError(CodedError):
    """A refused referral operation. `code` is stable (tests, counter, admin); `message` is shown."""

    messages = {
        "program_inactive": _("The club has no invite-a-friend offer right now."),
        "code_empty": _("Type the invitation code."),
        "invalid_code": _(
            "An invitation code has eight letters and digits, like ABCD-2345. Check what was typed."
        ),
        "unknown_code": _("No member has this invitation code. Check it with the friend who sent it."),
        "own_code": _("This is the member's own invitation code. It is for sharing with friends."),
        "already_referred": _("This member was already invited by someone else; an invitation counts once."),
        "too_many_attempts": _("Too many unknown codes in a short time. Wait a few minutes and try again."),
        # Refusals that are recorded on the referral for the owner (models.Reason) and shown.
        "self_referral": _(
            "Inviting yourself does not count (same e-mail address, mobile number or account)."
        ),
        "already_member": _(
            "This member was already a member or customer before the invitation, so it does not count."
        ),
        "cap_reached": _("The member who invited has reached this month's limit of rewarded invitations."),
        # The owner's review.
        "not_waiting_for_review": _("This referral is not waiting for review."),
        "already_settled": _(
            "This referral is already paid, cancelled or refused; it cannot be rejected now."
        ),
    }
