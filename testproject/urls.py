from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from testproject.shop import views_async, views_broken, views_redirect, views_sync

router = DefaultRouter()
router.register("products", views_sync.ProductViewSet, basename="product")

urlpatterns = [
    path("api/", include(router.urls)),
    path("api/echo/", views_sync.EchoView.as_view(), name="echo"),
    path("api/uploads/", views_sync.UploadView.as_view(), name="upload"),
    path("api/boom/", views_sync.BoomView.as_view()),
    path("api/token/", obtain_auth_token, name="token"),
    path("api/async/products/", views_async.AsyncProductList.as_view(), name="async-products"),
    path("api/async/products/cached/", views_async.CachedProductList.as_view(), name="cached-products"),
    path("api/async/products/events/", views_async.export_events, name="product-events"),
    path("api/async/products/<int:pk>/", views_async.AsyncProductDetail.as_view(), name="async-product"),
    path("api/async/echo/", views_async.AsyncEchoView.as_view(), name="async-echo"),
    path("api/async/boom/", views_async.AsyncBoomView.as_view()),
    path("api/old-products/", views_redirect.old_products),
    path("redirect/loop/", views_redirect.loop),
    path("redirect/<int:status>/", views_redirect.redirect),
    path("api-auth/", include("rest_framework.urls")),
    path("api/broken-product/", views_broken.BrokenProductView.as_view()),
]
