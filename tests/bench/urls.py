"""The project's URLs plus one bench-only page: the "bare" denominator of wallet_page.

__main__ points ROOT_URLCONF here, so both pages go through the same test Client, the same
middleware and the same logged-in session; only the view differs.
"""

from django.http import HttpResponse
from django.template import Context, Template
from django.urls import path

from clubsite.urls import urlpatterns as project_urlpatterns

# Choice of denominator: the real page's own HTML, rendered through a trivial template.
# Its cost is everything a page of that size costs with no database work and no template
# logic: URL resolving, middleware, rendering and escaping-free output of the same number
# of bytes, the response. Re-creating the page's template loops instead would depend on how
# the view is written; this measures what is left once the view's own work is taken away.
# Compiled once, as the cached template loader (DEBUG off) does for real templates.
BARE_TEMPLATE = Template("{{ html|safe }}")
bare_html = {"html": ""}  # set by the bench before it requests the page (single-threaded)


def bare(request):
    return HttpResponse(BARE_TEMPLATE.render(Context(bare_html)))


urlpatterns = [path("__bench__/bare/", bare, name="bench_bare"), *project_urlpatterns]
