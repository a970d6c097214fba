import base64
import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from clubsite.sms import SmsError

from .base import BaseSmsBackend

logger = logging.getLogger(__name__)


class SmsBackend(BaseSmsBackend):
    """Twilio's Messages API (form POST with basic auth). SMS_TWILIO_BASE_URL lets a
    compatible provider, or a local test server, stand in for api.twilio.com."""

    def __init__(self, *args, account_sid=None, auth_token=None, base_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_sid = account_sid or settings.SMS_TWILIO_ACCOUNT_SID
        self.auth_token = auth_token or settings.SMS_TWILIO_AUTH_TOKEN
        self.base_url = (base_url or settings.SMS_TWILIO_BASE_URL).rstrip("/")

    def _post(self, message) -> None:
        url = f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        data = urllib.parse.urlencode(
            {"To": message.to, "From": message.sender, "Body": message.body}
        ).encode()
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - the URL comes from settings
            url, data=data, method="POST", headers={"Authorization": f"Basic {credentials}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT_SECONDS) as response:  # noqa: S310
                if response.status >= 300:
                    raise SmsError(f"provider answered {response.status}")
        except urllib.error.HTTPError as exc:
            raise SmsError(f"provider answered {exc.code}") from exc
        except OSError as exc:
            raise SmsError(str(exc)) from exc

    def send_messages(self, messages) -> int:
        sent = 0
        for message in messages:
            try:
                self._post(message)
            except SmsError:
                logger.exception("SMS to %s failed", message.to[:-4] + "****")
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent
