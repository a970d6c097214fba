from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from members.models import Club
from members.registry import terms_line_items


def home(request):
    member = getattr(request.user, "member", None) if request.user.is_authenticated else None
    return render(request, "clubsite/home.html", {"member": member})


def terms(request):
    context = {"page": "terms", "text": Club.load().terms, "rules": terms_line_items()}
    return render(request, "clubsite/text_page.html", context)


@never_cache
def healthz(request):
    """For the load balancer: the process answers and the database is reachable."""
    # A round trip to the server and nothing else: no model's query says just that.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
