"""An ASGI application with consumers made for the package's WebSocket tests.

Used through `override_settings(ASGI_APPLICATION="tests.realtime_app.application")`,
so it also shows that `client.websocket()` reads the setting when called.
"""

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.generic.websocket import (
    AsyncJsonWebsocketConsumer,
    AsyncWebsocketConsumer,
    JsonWebsocketConsumer,
)
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application
from django.urls import path

from testproject.shop.models import Product


class ScopeConsumer(AsyncJsonWebsocketConsumer):
    """Accepts the first subprotocol offered and reports what the handshake carried."""

    async def connect(self):
        subprotocols = self.scope["subprotocols"]
        await self.accept(subprotocols[0] if subprotocols else None)
        user = self.scope.get("user")
        await self.send_json({
            "user": user.get_username() if user and user.is_authenticated else None,
            "auth": str(self.scope.get("auth")) if "auth" in self.scope else None,
            "headers": {k.decode(): v.decode() for k, v in self.scope["headers"]},
            "query_string": self.scope["query_string"].decode(),
            "path": self.scope["path"],
        })

    async def receive(self, text_data=None, bytes_data=None):
        if text_data == "close me":
            await self.close(code=4000)
        elif text_data is not None:
            await self.send(text_data=text_data)  # echo, text as text
        else:
            await self.send(bytes_data=bytes_data)  # and bytes as bytes


class SilentConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        pass  # neither accepts nor refuses


class RefusingConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.close(code=4403)


class BrokenConsumer(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):
        raise RuntimeError(f"consumer failed on {text_data!r}")


@database_sync_to_async
def _names():
    return list(Product.objects.order_by("id").values_list("name", flat=True))


class AsyncProductsConsumer(AsyncJsonWebsocketConsumer):
    """Reads and writes rows with `database_sync_to_async`."""

    async def receive_json(self, content):
        if content["action"] == "create":
            await database_sync_to_async(Product.objects.create)(name=content["name"], price="1")
        await self.send_json(await _names())


class SyncProductsConsumer(JsonWebsocketConsumer):
    """A sync consumer: Channels runs each handler with `database_sync_to_async`."""

    def receive_json(self, content):
        if content["action"] == "create":
            Product.objects.create(name=content["name"], price="1")
        self.send_json(list(Product.objects.order_by("id").values_list("name", flat=True)))


class GroupConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add("news", self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard("news", self.channel_name)

    async def news_published(self, event):
        await self.send_json(event["text"])


websocket_urlpatterns = [
    path("ws/scope/", ScopeConsumer.as_asgi()),
    path("ws/silent/", SilentConsumer.as_asgi()),
    path("ws/refuse/", RefusingConsumer.as_asgi()),
    path("ws/broken/", BrokenConsumer.as_asgi()),
    path("ws/products/async/", AsyncProductsConsumer.as_asgi()),
    path("ws/products/sync/", SyncProductsConsumer.as_asgi()),
    path("ws/news/", GroupConsumer.as_asgi()),
]

application = ProtocolTypeRouter({
    "http": get_asgi_application(),
    "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
})

django_only_application = get_asgi_application()  # what `django-admin startproject` gives
