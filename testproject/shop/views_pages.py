"""The product list under each of DRF's paginators, as sync and as async (adrf) views."""

from adrf import generics as async_generics
from django.http import JsonResponse
from rest_framework import generics, pagination
from rest_framework.response import Response

from .models import Product
from .serializers import ProductSerializer


class SmallPages(pagination.PageNumberPagination):
    page_size = 2
    page_size_query_param = "size"


class SmallLimitOffset(pagination.LimitOffsetPagination):
    default_limit = 2


class SmallCursor(pagination.CursorPagination):
    page_size = 2
    ordering = "id"


class LinkHeaderPages(SmallPages):
    """GitHub-style: the body is the bare list, the links are in a `Link` header."""

    def get_paginated_response(self, data):
        links = [f'<{url}>; rel="{rel}"' for url, rel in
                 ((self.get_next_link(), "next"), (self.get_previous_link(), "prev")) if url]
        return Response(data, headers={"Link": ", ".join(links)} if links else None)


class ProductPages(generics.ListAPIView):
    queryset = Product.objects.select_related("owner")
    serializer_class = ProductSerializer


class AsyncProductPages(async_generics.ListAPIView):
    queryset = Product.objects.select_related("owner")
    serializer_class = ProductSerializer


def looping_pages(request):
    """A broken paginator: every page says the next one is page 1."""
    return JsonResponse({"results": [1], "next": "http://testserver/api/pages/loop/?page=1"})


def endless_pages(request):
    """A broken paginator whose `next` link never runs out."""
    page = int(request.GET.get("page", 1))
    return JsonResponse({"results": [page], "next": f"/api/pages/endless/?page={page + 1}"})


