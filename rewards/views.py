from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render


def staff_required(view):
    """Counter staff, customer service or the owner; anyone else gets 403."""

    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_counter_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@staff_required
def counter(request):
    """The staff entry point. Scanning and actions at the till arrive with the wallet."""
    locations = request.user.locations.filter(is_active=True)
    return render(request, "rewards/counter.html", {"locations": locations})
