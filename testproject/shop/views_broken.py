"""A view that breaks its own documented contract, on purpose.

The schema says it returns a product (`ProductSerializer`); it returns an `id` that is
a string. The contract tests use it to show what `ContractError` says.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from .serializers import ProductSerializer


class BrokenProductView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: ProductSerializer})
    def get(self, request):
        return Response({"id": "seven", "name": "Lamp", "price": "12.50", "in_stock": True,
                         "owner": None, "created_at": "2026-01-01T00:00:00Z"})
