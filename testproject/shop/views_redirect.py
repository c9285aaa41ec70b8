"""Redirects for exercising ``follow=True``."""

from django.http import HttpResponseRedirect
from django.http.response import HttpResponseRedirectBase


def redirect(request, status: int):
    """Redirect with ``status`` to ``?to=`` (relative or absolute, kept as given)."""
    response = HttpResponseRedirectBase(request.GET.get("to", "/api/echo/"))
    response.status_code = status
    return response


def old_products(request):
    return HttpResponseRedirect("/api/products/")


def loop(request):
    return HttpResponseRedirect("/redirect/loop/")
