"""The project's URLs plus one bench-only page: the "bare" denominator of wallet_page.

__main__ points ROOT_URLCONF here, so both pages go through the same test Client, the same
middleware and the same logged-in session; only the view differs.
"""

from django.shortcuts import render
from django.urls import path

from clubsite.urls import urlpatterns as project_urlpatterns

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


urlpatterns = [path("__bench__/bare/", bare, name="bench_bare"), *project_urlpatterns]
