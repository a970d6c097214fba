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
