"""The project's URLs plus bench-only views, each a denominator for a real one.

__main__ and tests/bench/counter_credit_profile.py point ROOT_URLCONF here, so the real and
the bench views go through the same test Client, the same middleware and the same
logged-in session; only the view differs.
"""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from clubsite.urls import urlpatterns as project_urlpatterns
from rewards.views.counter import at_location
from tests.bench.bare_view import credit

# Choice of denominator ("a bare template render of the same size"): the real wallet
# template, rendered with the very context the real view builds for the same member, but
# built once beforehand and kept in memory. What is left is what any page of this size and
# shape costs — URL resolving, middleware, session and user, the base layout's context
# processor, template rendering of the same rows — with none of the wallet's own work
# (its queries, the tier and expiry computations, the QR codes).
bare_context: dict = {}  # set by the bench before it requests the page (single-threaded)


def bare(request):
    request.user.member = bare_context["member"]  # as member_required does for the menu
    return render(request, "rewards/wallet.html", bare_context["context"])


@at_location
@require_POST
def counter_floor(request, number: str, wallet_id: int):
    """The till's floor: everything the project puts around a counter action (middleware,
    session and staff user, CSRF, the shop and member check of at_location), then only the
    bare view's database work and its few bytes of answer. What a purchase costs above this
    is the action's own: its rules, its statements and the panel it answers with."""
    return credit(request, wallet_id)


urlpatterns = [
    path("__bench__/bare/", bare, name="bench_bare"),
    path("__bench__/credit/<int:wallet_id>/", credit, name="bench_credit"),
    path(
        "__bench__/kasse/<int:location_id>/medlem/<str:number>/<int:wallet_id>/",
        counter_floor,
        name="bench_counter_floor",
    ),
    *project_urlpatterns,
]
