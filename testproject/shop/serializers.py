from rest_framework import serializers

from .models import Product


class ProductSerializer(serializers.ModelSerializer):
    owner = serializers.ReadOnlyField(source="owner.username", default=None)

    class Meta:
        model = Product
        fields = ["id", "name", "price", "in_stock", "owner", "created_at"]


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    tags = serializers.ListField(child=serializers.CharField(), required=False)
