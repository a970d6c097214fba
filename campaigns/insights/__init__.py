"""The owner's dashboard: whether the club pays (KPIs, the seeds' formulas, liability,
breakage, segments), per period and shop, as a page and as CSV. Read-only: aggregates over
the other apps' rows, a fixed number of queries whatever the number of members."""
