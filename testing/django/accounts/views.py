import os
import time

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)
from rest_framework_simplejwt.views import TokenRefreshView

from . import stats

ITEMS = {
    "alice": [
        {"id": 1, "name": "White Rabbit pocket watch"},
        {"id": 2, "name": "Drink Me bottle"},
        {"id": 3, "name": "Cheshire Cat grin"},
    ],
    "bob": [
        {"id": 1, "name": "Hard hat"},
        {"id": 2, "name": "Spanner"},
    ],
}


class CountingTokenRefreshView(TokenRefreshView):
    """SimpleJWT's TokenRefreshView (rotation + blacklist after rotation),
    counting every request that reaches it, whatever its outcome."""

    def dispatch(self, request, *args, **kwargs):
        generation, delay_ms = stats.begin()
        ok = False
        try:
            if delay_ms:
                time.sleep(delay_ms / 1000.0)
            response = super().dispatch(request, *args, **kwargs)
            ok = 200 <= response.status_code < 300
            return response
        finally:
            stats.finish(generation, ok)


class MeView(APIView):
    def get(self, request):
        return Response(
            {"username": request.user.username, "name": request.user.first_name}
        )


class ItemsView(APIView):
    def get(self, request):
        username = request.user.username
        return Response({"items": ITEMS.get(username, []), "user": username})


class _TestControl(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]


class StatsView(_TestControl):
    def get(self, request):
        s = stats.snapshot()
        return Response(
            {
                "refresh_calls": s["refresh_calls"],
                "refresh_ok": s["refresh_ok"],
                "refresh_rejected": s["refresh_rejected"],
                "refresh_in_flight": s["refresh_in_flight"],
                "refresh_max_concurrent": s["refresh_max_concurrent"],
                "refresh_delay_ms": s["refresh_delay_ms"],
                "instance": os.environ.get("GLYDE_INSTANCE_ID", ""),
            }
        )


class ResetView(_TestControl):
    def post(self, request):
        stats.reset()
        return Response({"ok": True})


class ConfigView(_TestControl):
    def post(self, request):
        delay = request.data.get("refresh_delay_ms") if isinstance(request.data, dict) else None
        if delay is not None and (
            isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0
        ):
            return Response(
                {"detail": "refresh_delay_ms must be a number >= 0"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        s = stats.configure(refresh_delay_ms=delay)
        return Response({"refresh_delay_ms": s["refresh_delay_ms"]})


class RevokeView(_TestControl):
    """Blacklist every outstanding (not yet blacklisted) refresh token of a user."""

    def post(self, request):
        username = request.data.get("username") if isinstance(request.data, dict) else None
        if not isinstance(username, str) or not username:
            return Response(
                {"detail": "username is required"}, status=status.HTTP_400_BAD_REQUEST
            )
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            return Response(
                {"detail": f"no such user: {username}"}, status=status.HTTP_404_NOT_FOUND
            )
        revoked = 0
        with transaction.atomic():
            for token in OutstandingToken.objects.filter(
                user=user, blacklistedtoken__isnull=True
            ):
                _, created = BlacklistedToken.objects.get_or_create(token=token)
                revoked += int(created)
        return Response({"revoked": revoked})
