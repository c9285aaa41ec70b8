"""Realtime side of the shop: product changes pushed to signed-in users over WebSockets."""

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer

from .models import Product
from .serializers import ProductSerializer

PRODUCTS_GROUP = "products"
SUBPROTOCOL = "shop.v1"


@database_sync_to_async
def list_products() -> list[dict]:
    return ProductSerializer(Product.objects.select_related("owner"), many=True).data


@database_sync_to_async
def create_product(user, name: str, price: str) -> dict:
    product = Product.objects.create(owner=user, name=name, price=price)
    return ProductSerializer(product).data


class ProductConsumer(AsyncJsonWebsocketConsumer):
    """`/ws/products/`: signed-in users get every product change; they may also list
    and create products over the socket."""

    async def connect(self):
        if not self.scope["user"].is_authenticated:
            await self.close(code=4401)  # refuse the handshake
            return
        await self.channel_layer.group_add(PRODUCTS_GROUP, self.channel_name)
        subprotocol = SUBPROTOCOL if SUBPROTOCOL in self.scope["subprotocols"] else None
        await self.accept(subprotocol)

    async def disconnect(self, code):
        await self.channel_layer.group_discard(PRODUCTS_GROUP, self.channel_name)

    async def receive_json(self, content):
        action = content.get("action")
        if action == "list":
            await self.send_json({"type": "products", "products": await list_products()})
        elif action == "create":
            product = await create_product(self.scope["user"], content["name"], content["price"])
            await self.send_json({"type": "created", "product": product})
        else:
            await self.send_json({"type": "error", "detail": f"Unknown action {action!r}."})

    async def product_changed(self, event):
        """Handler of the group's `product.changed` messages."""
        await self.send_json({"type": "product.changed", "product": event["product"]})


def push_product_change(product: Product) -> None:
    """Tell the `products` group about a saved product (called on commit)."""
    layer = get_channel_layer()
    message = {"type": "product.changed",
               "product": {"id": product.id, "name": product.name, "price": str(product.price)}}
    async_to_sync(layer.group_send)(PRODUCTS_GROUP, message)
