import functools

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ClubLocaleMiddleware(LocaleMiddleware):
    """The club speaks Norwegian Bokmål until a visitor picks another language.

    Django's own middleware would follow the browser's Accept-Language, so a Norwegian on a
    phone set to English would never see the club in Norwegian. Here only the language
    switcher's cookie counts.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PermissionsPolicyMiddleware:
    """Every page may use no camera, microphone or location (PERMISSIONS_POLICY), unless its
    view says otherwise (camera_allowed: the till)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def camera_allowed(view):
    """The page may ask for the camera (scanning a card with the phone or tablet's camera)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Permissions-Policy"] = settings.PERMISSIONS_POLICY_CAMERA
        return response

    return wrapper
