from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from testproject.shop import (
    views_async,
    views_broken,
    views_pages,
    views_recipes,
    views_redirect,
    views_sync,
)

router = DefaultRouter()
router.register("products", views_sync.ProductViewSet, basename="product")

urlpatterns = [
    path("api/", include(router.urls)),
    path("api/product-count/events/", views_sync.product_count_events, name="product-count-events"),
    path("api/echo/", views_sync.EchoView.as_view(), name="echo"),
    path("api/uploads/", views_sync.UploadView.as_view(), name="upload"),
    path("api/boom/", views_sync.BoomView.as_view()),
    path("api/slow-write/", views_sync.SlowWriteView.as_view()),
    path("api/token/", obtain_auth_token, name="token"),
    path("api/async/products/", views_async.AsyncProductList.as_view(), name="async-products"),
    path("api/async/products/cached/", views_async.CachedProductList.as_view(), name="cached-products"),
    path("api/async/products/events/", views_async.export_events, name="product-events"),
    path("api/async/products/live/", views_async.live_events, name="product-live-events"),
    path("api/async/products/<int:pk>/", views_async.AsyncProductDetail.as_view(), name="async-product"),
    path("api/async/echo/", views_async.AsyncEchoView.as_view(), name="async-echo"),
    path("api/async/boom/", views_async.AsyncBoomView.as_view()),
    path("api/async/slow/", views_async.AsyncSlowView.as_view()),
    path("api/old-products/", views_redirect.old_products),
    path("redirect/loop/", views_redirect.loop),
    path("redirect/<int:status>/", views_redirect.redirect),
    path("api-auth/", include("rest_framework.urls")),
    # Pagination: the product list under each paginator, sync and async (adrf).
    path("api/pages/number/", views_pages.ProductPages.as_view(pagination_class=views_pages.SmallPages)),
    path("api/pages/limit-offset/", views_pages.ProductPages.as_view(pagination_class=views_pages.SmallLimitOffset)),
    path("api/pages/cursor/", views_pages.ProductPages.as_view(pagination_class=views_pages.SmallCursor)),
    path("api/pages/link/", views_pages.ProductPages.as_view(pagination_class=views_pages.LinkHeaderPages)),
    path("api/async/pages/number/", views_pages.AsyncProductPages.as_view(pagination_class=views_pages.SmallPages)),
    path("api/async/pages/limit-offset/", views_pages.AsyncProductPages.as_view(pagination_class=views_pages.SmallLimitOffset)),
    path("api/async/pages/cursor/", views_pages.AsyncProductPages.as_view(pagination_class=views_pages.SmallCursor)),
    path("api/pages/loop/", views_pages.looping_pages),
    path("api/pages/endless/", views_pages.endless_pages),
    path("api/pages/unpaginated/", views_pages.ProductPages.as_view(pagination_class=None)),
    # Recipes: an outgoing HTTP call, a session cart.
    path("api/async/products/<int:pk>/price/", views_recipes.AsyncConvertedPrice.as_view()),
    path("api/cart/", views_recipes.SessionCart.as_view()),
    path("api/broken-product/", views_broken.BrokenProductView.as_view()),
]
