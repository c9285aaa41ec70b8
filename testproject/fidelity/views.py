"""Views of every kind: sync, async, adrf, streaming, template, failing."""

from __future__ import annotations

from typing import Any

from adrf.views import APIView as AsyncAPIView
from django.http import HttpResponse, StreamingHttpResponse
from django.template import engines
from django.template.response import TemplateResponse
from rest_framework.response import Response
from rest_framework.views import APIView

from .middleware import Handled
from .trace import record


def _fail_if_asked(request: Any) -> None:
    if request.GET.get("fail") == "handled":
        raise Handled("the view failed, a middleware answers")
    if request.GET.get("fail") == "unhandled":
        raise ValueError("the view failed, nobody answers")


def sync_view(request: Any) -> HttpResponse:
    record("view.sync")
    _fail_if_asked(request)
    return HttpResponse("sync", headers={"X-View": "sync"})


async def async_view(request: Any) -> HttpResponse:
    record("view.async")
    _fail_if_asked(request)
    return HttpResponse("async", headers={"X-View": "async"})


class DrfSyncView(APIView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    def get(self, request: Any) -> Response:
        record("view.drf_sync")
        _fail_if_asked(request)
        return Response({"view": "drf_sync", "user": str(request.user)})


class AdrfView(AsyncAPIView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    async def get(self, request: Any) -> Response:
        record("view.adrf")
        _fail_if_asked(request)
        return Response({"view": "adrf", "user": str(request.user)})


def sync_stream(request: Any) -> StreamingHttpResponse:
    record("view.sync_stream")
    return StreamingHttpResponse(f"chunk {i}\n" for i in range(3))


async def async_stream(request: Any) -> StreamingHttpResponse:
    record("view.async_stream")

    async def chunks() -> Any:
        for i in range(3):
            yield f"chunk {i}\n"

    return StreamingHttpResponse(chunks())


def template_view(request: Any) -> TemplateResponse:
    record("view.template")
    template = engines["django"].from_string("by {{ by }} for {{ who }}")
    return TemplateResponse(request, template, {"who": "you"})  # type: ignore[arg-type]
