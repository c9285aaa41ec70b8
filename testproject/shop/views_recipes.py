"""Views the recipes need: an outgoing HTTP call, a session cart."""

from decimal import Decimal

import httpx
from adrf.views import APIView as AsyncAPIView
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Product

# A third-party exchange-rate service; tests mock it, nothing calls it for real.
RATES_URL = "https://rates.example.com/latest"


@extend_schema(exclude=True)  # test support, not part of the API
class AsyncConvertedPrice(AsyncAPIView):
    """A product's price in another currency, from an outgoing httpx call."""

    permission_classes = [permissions.AllowAny]

    async def get(self, request, pk: int):
        product = await Product.objects.filter(pk=pk).afirst()
        if product is None:
            raise Http404
        currency = request.query_params.get("currency", "EUR")
        async with httpx.AsyncClient(timeout=5) as http:
            answer = await http.get(RATES_URL, params={"from": "USD", "to": currency})
        answer.raise_for_status()
        rate = Decimal(str(answer.json()["rate"]))
        return Response({"currency": currency, "price": str(product.price * rate)})


@extend_schema(exclude=True)  # test support, not part of the API
class SessionCart(APIView):
    """A cart kept in the session: GET it, POST `{"product": id}` to add one."""

    permission_classes = [permissions.AllowAny]

    def get(self, request):
        return Response({"cart": request.session.get("cart", [])})

    def post(self, request):
        request.session["cart"] = [*request.session.get("cart", []), request.data["product"]]
        return Response({"cart": request.session["cart"]})
