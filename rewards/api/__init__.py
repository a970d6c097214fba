"""The POS and web-shop API, version 1 (/api/v1/): see rewards/api/views.py."""
