"""Small views the client's edge cases need, on top of the test project's URLs."""

import asyncio

from django.http import HttpResponse, HttpResponseRedirect
from django.template import Context, Template
from django.urls import include, path


def _view_rendering(name, pause_before, pause_after):
    async def view(request):
        await asyncio.sleep(pause_before)
        html = Template(name, name=name).render(Context({"name": name}))
        await asyncio.sleep(pause_after)
        return HttpResponse(html)

    return view


def redirect_to_next(request, name):
    return HttpResponseRedirect("next/")


def show_name(request, name):
    return HttpResponse(name)


urlpatterns = [
    path("t/a/", _view_rendering("a", 0.0, 0.1)),
    path("t/b/", _view_rendering("b", 0.05, 0.0)),
    path("d/<str:name>/", redirect_to_next),
    path("d/<str:name>/next/", show_name),
    path("", include("testproject.urls")),
]
