"""`make bench`: performance benchmarks on a throwaway PostgreSQL database.

Run as `python -m tests.bench` (see __main__). Results are JSON lines on stdout, one per
measurement; progress goes to stderr. File names here must not start with test_: pytest
must not collect the benchmarks.
"""
