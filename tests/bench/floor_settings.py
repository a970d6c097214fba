"""Settings of the counter_credit bench's floor server: the project's, with the bench's views
(tests.bench.urls) beside the project's URLs. Everything else is what production runs."""

from clubsite.settings import *  # noqa: F403 - the project's settings, unchanged

ROOT_URLCONF = "tests.bench.urls"
