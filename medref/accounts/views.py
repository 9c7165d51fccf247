"""Sign-up, email verification, profile and account deletion. Sign-in, sign-out and password
reset are Django's own views with our templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from medref.accounts import actions
from medref.accounts.forms import DeleteAccountForm, ProfileForm, SignUpForm
from medref.accounts.models import Profession, Profile


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = actions.create_account(**form.cleaned_data)
        actions.send_verification(user=user, base_url=request.build_absolute_uri("/"))
        return render(request, "registration/verify_sent.html", {"email": user.email})
    return render(
        request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200
    )


def verify(request: HttpRequest, token: str) -> HttpResponse:
    user = actions.verify_email(token=token)
    if user is None:
        return render(request, "registration/verify_failed.html", status=400)
    messages.success(request, "Your email address is confirmed. You can sign in now.")
    return redirect("login")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    instance, _ = Profile.objects.get_or_create(
        user=request.user, defaults={"profession": Profession.OTHER}
    )
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your details are saved.")
        return redirect("profile")
    return render(request, "registration/profile.html", {"form": form, "profile": instance})


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        actions.delete_account(by=user)
        messages.success(request, "Your account and your annotations have been deleted.")
        return redirect("home")
    return render(request, "registration/delete_account.html", {"form": form})
