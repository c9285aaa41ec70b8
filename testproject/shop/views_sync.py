"""Plain (sync) DRF views: what most projects have today."""

import csv
import io
import time
from collections.abc import Iterator

from django.db import transaction
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import parsers, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from .echo import describe
from .models import Product
from .permissions import IsOwnerOrReadOnly
from .serializers import ERRORS, ProductSerializer, UploadedSerializer, UploadSerializer


@extend_schema_view(
    create=extend_schema(responses={201: ProductSerializer, **ERRORS(400, 401, 403)}),
    retrieve=extend_schema(responses={200: ProductSerializer, **ERRORS(404)}),
    update=extend_schema(responses={200: ProductSerializer, **ERRORS(400, 401, 403, 404)}),
    partial_update=extend_schema(
        responses={200: ProductSerializer, **ERRORS(400, 401, 403, 404)}),
    destroy=extend_schema(responses={204: None, **ERRORS(401, 403, 404)}),
)
class ProductViewSet(viewsets.ModelViewSet):
    queryset = Product.objects.select_related("owner")
    serializer_class = ProductSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsOwnerOrReadOnly]

    def perform_create(self, serializer: ProductSerializer) -> None:
        serializer.save(owner=self.request.user)

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)})
    @action(detail=False, url_path="export", url_name="export")
    def export(self, request):
        """CSV export streamed from a sync generator that queries the database."""

        def rows() -> Iterator[str]:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(["id", "name", "price"])
            for product in Product.objects.iterator():
                writer.writerow([product.id, product.name, product.price])
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
            yield buffer.getvalue()

        return StreamingHttpResponse(rows(), content_type="text/csv")


def product_count_events(request):
    """Endless server-sent events from a sync generator: the product count, every 20 ms."""

    def events() -> Iterator[str]:
        number = 0
        while True:
            number += 1
            yield f"id: {number}\nevent: count\ndata: {Product.objects.count()}\n\n"
            time.sleep(0.02)

    return StreamingHttpResponse(events(), content_type="text/event-stream")


@extend_schema(exclude=True)  # a debugging aid, not part of the API
class EchoView(APIView):
    """Reports what arrived: headers, host, body, user. Any method."""

    permission_classes = [permissions.AllowAny]

    def get(self, request):
        return Response(describe(request, request.user))

    post = put = patch = delete = options = get


class UploadView(APIView):
    parser_classes = [parsers.MultiPartParser]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=UploadSerializer,
                   responses={201: UploadedSerializer, **ERRORS(400, 401, 403)})
    def post(self, request):
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        return Response(
            {
                "name": upload.name,
                "size": upload.size,
                "tags": serializer.validated_data.get("tags", []),
            },
            status=status.HTTP_201_CREATED,
        )


@extend_schema(exclude=True)
class BoomView(APIView):
    permission_classes = [permissions.AllowAny]

    def get(self, request):
        raise RuntimeError("boom from a sync view")


@extend_schema(exclude=True)  # test support, not part of the API
class SlowWriteView(APIView):
    """Writes a product after a delay, inside its own atomic block.

    A test that stops waiting for this request (`asyncio.wait_for`) leaves the view
    running on the test's connection; restflow-test waits for it before rolling back.
    """

    permission_classes = [permissions.AllowAny]

    def post(self, request):
        time.sleep(float(request.query_params.get("seconds", "0.3")))
        with transaction.atomic():
            product = Product.objects.create(name="late write", price="1")
        return Response({"id": product.id}, status=status.HTTP_201_CREATED)
