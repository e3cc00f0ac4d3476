"""The request of a view behind `login_required`, for type checks: its user is a member."""

from django.http import HttpRequest

from .models import User


class AuthenticatedRequest(HttpRequest):
    user: User
