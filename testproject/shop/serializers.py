from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers

from .models import Product


@extend_schema_field({"type": "string", "nullable": True})
class OwnerField(serializers.ReadOnlyField):
    """The owner's username, or null: a product may have no owner (the contract
    tests caught the schema saying otherwise)."""


class ProductSerializer(serializers.ModelSerializer):
    owner = OwnerField(source="owner.username", default=None)

    class Meta:
        model = Product
        fields = ["id", "name", "price", "in_stock", "owner", "created_at"]


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    tags = serializers.ListField(child=serializers.CharField(), required=False)


class UploadedSerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField()
    tags = serializers.ListField(child=serializers.CharField())


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


_ERROR_TEXT = {400: "Invalid input, by field.", 401: "Not authenticated.",
               403: "Not allowed.", 404: "Not found."}


def ERRORS(*codes: int) -> dict[int, OpenApiResponse]:
    """Documented DRF error responses: `{"detail": ...}`, or field errors for 400."""
    return {code: OpenApiResponse(None if code == 400 else ErrorSerializer,
                                  description=_ERROR_TEXT[code])
            for code in codes}
