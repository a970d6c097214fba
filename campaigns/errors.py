from django.utils.translation import gettext_lazy as _

from clubsite.errors import CodedError


class CampaignsError(CodedError):
    """A refused campaign operation. `code` is stable (tests, admin); `message` is shown."""

    messages = {
        "no_text": _(
            "Write the campaign's text in Norwegian first: members without a text in their language get it."
        ),
        "no_email_text": _("An e-mail campaign needs a subject and a text in Norwegian."),
        "no_sms_text": _("An SMS campaign needs an SMS text in Norwegian."),
        "nobody": _(
            "Nobody in the segment can be reached on this channel right now, so nothing would be sent."
        ),
        "in_the_past": _("The time to send has passed. Choose a time from now on, or send now."),
        "not_draft": _("Only a draft can be scheduled or sent; this campaign has started or ended."),
        "not_sending": _("Only a campaign that is sending can be paused."),
        "not_paused": _("Only a paused campaign can be resumed."),
        "finished": _("This campaign has ended; there is nothing left to cancel."),
        "no_test_address": _("Your user has no address on this channel to send a test to."),
        "no_send_at": _("Fill in «send at» and save before scheduling, or send now."),
        "no_member": _("No member with that number in the club to show the message as."),
        "bad_link": _("This survey link is not valid. Use the link in the message you got, as it is."),
        "bad_score": _("Choose a number from 0 to 10."),
        "answered": _("You have answered this survey already. Thank you!"),
        "shares": _(
            "The variants' shares add up to more than 100 percent, or leave nothing for a variant "
            "without a share. Set them so that every variant gets some."
        ),
        "no_winner": _(
            "No variant has clearly done best yet, so none can be rolled out. Wait for more members to "
            "go through the step."
        ),
        "not_a_flow_step": _("Only a flow's step goes on after its test; a campaign is sent once."),
    }
