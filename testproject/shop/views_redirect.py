"""Redirects for exercising ``follow=True``."""

from django.http import HttpResponse, HttpResponseRedirect


def redirect(request, status: int):
    """Redirect with ``status`` to ``?to=`` (relative or absolute, kept as given)."""
    response = HttpResponse(status=status)
    response["Location"] = request.GET.get("to", "/api/echo/")
    return response


def old_products(request):
    return HttpResponseRedirect("/api/products/")


def loop(request):
    return HttpResponseRedirect("/redirect/loop/")
