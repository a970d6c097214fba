import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clubsite.settings")
application = get_wsgi_application()

# Import every view now (the URLconf pulls them in), not in a worker's first request, then
# take all that was loaded out of the garbage collector's sight. Modules, classes and
# settings live as long as the process, yet a full collection walked all of them (~150,000
# objects): a pause of ~90 ms inside whichever request set it off, once in a few thousand.
# Frozen, a full collection walks only what requests made: under 20 ms, and less in all,
# though more often. (tests/bench/counter_credit_profile.py 4000 --gc, and FREEZE=1.)
get_resolver().url_patterns  # noqa: B018 - loaded for its side effect
gc.freeze()
