#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clubsite.settings")
    # manage.py is the developer's tool: with no configuration at all it runs like `make run`
    # (DEBUG on, the development key). A deployment sets SECRET_KEY, and the web server
    # (clubsite.wsgi) never takes this shortcut: there DEBUG stays off and a key is required.
    if "SECRET_KEY" not in os.environ and "DEBUG" not in os.environ:
        os.environ["DEBUG"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
