"""How passwords are stored: Argon2id at OWASP's first recommended setting.

Django's default, PBKDF2 at a million rounds, took 0.2-0.3 s of CPU per login on a two-core
server; that was most of the wait between the owner's "Logg inn" and the till (issue 14).
Argon2id is memory-hard, so a GPU gains far less against it per unit of cost, and OWASP's
Password Storage Cheat Sheet rates 46 MiB, one pass, one lane as strong as its other
settings. Measured on the same machine: about 0.06 s per login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    # The same "argon2" algorithm as Django's hasher, so stored hashes stay readable by it;
    # a hash made with other parameters is re-made with these at the next login.
    time_cost = 1
    memory_cost = 47104  # KiB (46 MiB)
    parallelism = 1  # one lane: a small server handles more logins at once this way
