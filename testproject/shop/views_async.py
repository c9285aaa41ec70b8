"""Async views (adrf): the same API, written for an async stack."""

import asyncio
import json
from collections.abc import AsyncIterator

from adrf.views import APIView
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.http import Http404, StreamingHttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response

from .consumers import PRODUCTS_GROUP
from .echo import describe
from .models import Product
from .serializers import ERRORS, ProductSerializer
from .signals import PRODUCT_LIST_CACHE_KEY


async def _products() -> list[dict]:
    products = [p async for p in Product.objects.select_related("owner")]
    return ProductSerializer(products, many=True).data


class AsyncProductList(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: ProductSerializer(many=True)})
    async def get(self, request):
        return Response(await _products())

    @extend_schema(request=ProductSerializer,
                   responses={201: ProductSerializer, **ERRORS(400, 401, 403)})
    async def post(self, request):
        serializer = ProductSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = await Product.objects.acreate(
            owner=request.user, **serializer.validated_data
        )
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)


class AsyncProductDetail(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    async def _get_product(self, pk: int) -> Product:
        try:
            return await Product.objects.select_related("owner").aget(pk=pk)
        except Product.DoesNotExist:
            raise Http404 from None

    @extend_schema(responses={200: ProductSerializer, **ERRORS(404)})
    async def get(self, request, pk: int):
        return Response(ProductSerializer(await self._get_product(pk)).data)

    @extend_schema(request=ProductSerializer,
                   responses={200: ProductSerializer, **ERRORS(400, 401, 403, 404)})
    async def patch(self, request, pk: int):
        product = await self._get_product(pk)
        if product.owner_id != request.user.id:
            return Response({"detail": "Not your product."}, status=403)
        serializer = ProductSerializer(product, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        for field, value in serializer.validated_data.items():
            setattr(product, field, value)
        await product.asave()
        return Response(ProductSerializer(product).data)

    @extend_schema(responses={204: None, **ERRORS(401, 403, 404)})
    async def delete(self, request, pk: int):
        product = await self._get_product(pk)
        await product.adelete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class CachedProductList(APIView):
    """The product list served from the cache; writes drop it on commit."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: ProductSerializer(many=True)})
    async def get(self, request):
        cached = await cache.aget(PRODUCT_LIST_CACHE_KEY)
        if cached is None:
            cached = await _products()
            await cache.aset(PRODUCT_LIST_CACHE_KEY, cached)
            return Response(cached, headers={"X-Cache": "miss"})
        return Response(cached, headers={"X-Cache": "hit"})


async def export_events(request):
    """Server-sent events streamed from an async generator (a plain Django view)."""

    async def events() -> AsyncIterator[str]:
        async for product in Product.objects.order_by("id"):
            payload = {"id": product.id, "name": product.name}
            yield f"event: product\ndata: {json.dumps(payload)}\n\n"
            await asyncio.sleep(0)
        yield "event: end\ndata: {}\n\n"

    return StreamingHttpResponse(events(), content_type="text/event-stream")


async def live_events(request):
    """Endless server-sent events: every product change, as the `products` group gets it."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(PRODUCTS_GROUP, channel)  # subscribed before the response starts

    async def events() -> AsyncIterator[str]:
        try:
            yield ": subscribed\n\n"  # a comment: headers and first bytes go out now
            number = 0
            while True:
                message = await layer.receive(channel)
                number += 1
                payload = json.dumps(message["product"])
                yield f"id: {number}\nevent: product.changed\ndata: {payload}\n\n"
        finally:
            await layer.group_discard(PRODUCTS_GROUP, channel)

    return StreamingHttpResponse(events(), content_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})


@extend_schema(exclude=True)  # a debugging aid, not part of the API
class AsyncEchoView(APIView):
    permission_classes = [permissions.AllowAny]

    async def get(self, request):
        return Response(describe(request, request.user))

    post = put = patch = delete = options = get


@extend_schema(exclude=True)
class AsyncBoomView(APIView):
    permission_classes = [permissions.AllowAny]

    async def get(self, request):
        raise RuntimeError("boom from an async view")


@extend_schema(exclude=True)  # test support, not part of the API
class AsyncSlowView(APIView):
    """Answers after `?seconds=` (default 0.1), for requests in flight at once."""

    permission_classes = [permissions.AllowAny]

    async def get(self, request):
        seconds = float(request.query_params.get("seconds", "0.1"))
        await asyncio.sleep(seconds)
        return Response({"slept": seconds})
