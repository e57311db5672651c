from django.urls import path
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView

from accounts import views

# Paths exactly as written: no trailing slashes (APPEND_SLASH = False).
urlpatterns = [
    path("auth/token", TokenObtainPairView.as_view()),
    path("auth/refresh", views.CountingTokenRefreshView.as_view()),
    path("auth/logout", TokenBlacklistView.as_view()),
    path("auth/me", views.MeView.as_view()),
    path("api/items", views.ItemsView.as_view()),
    path("test/stats", views.StatsView.as_view()),
    path("test/reset", views.ResetView.as_view()),
    path("test/config", views.ConfigView.as_view()),
    path("test/revoke", views.RevokeView.as_view()),
]
