"""Sign-up, email verification, sign-in (with the emailed link past the failure limits), profile
and account deletion. Sign-out and the password-reset pages are Django's own views with our
templates, our single-use tokens and the account-email throttle."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from medref.accounts import actions, signin, tokens
from medref.accounts.forms import DeleteAccountForm, ProfileForm, SignUpForm
from medref.accounts.metering import COOKIE as VISITOR_COOKIE
from medref.accounts.metering import known_visitor
from medref.accounts.models import Profession, Profile
from medref.accounts.throttle import allow_account_email


def _client_ip(request: HttpRequest) -> str | None:
    # The real client's address: medref.config.proxy has already unwrapped a trusted proxy's.
    return request.META.get("REMOTE_ADDR") or None


def _too_many_emails(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/too_many_emails.html", status=429)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not allow_account_email(email=email, ip_address=_client_ip(request)):
            return _too_many_emails(request)
        actions.sign_up(base_url=request.build_absolute_uri("/"), **form.cleaned_data)
        # The same page whether the address was new or already had an account.
        return render(request, "registration/verify_sent.html", {"email": email})
    return render(
        request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200
    )


def verify(request: HttpRequest, token: str) -> HttpResponse:
    user = actions.verify_email(token=token)
    if user is None:
        return render(request, "registration/verify_failed.html", status=400)
    messages.success(request, "Your email address is confirmed. You can sign in now.")
    return redirect("login")


class SignInView(auth_views.LoginView):
    """Django's sign-in, except that past the failure limits the password alone is not enough
    (medref.accounts.signin): right or wrong, the answer is "check your email"."""

    redirect_authenticated_user = True
    needs_link = False

    def post(self, request, *args, **kwargs):
        # Decided before this attempt is judged, so a right and a wrong password meet one rule.
        self.needs_link = signin.needs_emailed_link(
            username=request.POST.get("username", ""), ip_address=_client_ip(request)
        )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if not self.needs_link:
            return super().form_valid(form)
        signin.send_sign_in_link(
            user=form.get_user(),
            base_url=self.request.build_absolute_uri("/"),
            ip_address=_client_ip(self.request),
        )
        return self._link_sent()

    def form_invalid(self, form):
        if self.needs_link and form.data.get("username") and form.data.get("password"):
            return self._link_sent()
        return super().form_invalid(form)

    def _link_sent(self) -> HttpResponse:
        return render(self.request, "registration/sign_in_link_sent.html")


@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and changes nothing (mail scanners open links); POST signs in."""
    user = tokens.user_from_token(token, tokens.SIGN_IN)
    if user is None or not user.is_active:
        return render(request, "registration/sign_in_link_failed.html", status=400)
    if request.method == "GET":
        return render(request, "registration/sign_in_link.html", {"email": user.email})
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    signin.forget_failures(username=user.get_username())
    return redirect(settings.LOGIN_REDIRECT_URL)


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    token_generator = tokens.reset_tokens

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if not allow_account_email(email=email, ip_address=_client_ip(self.request)):
            return _too_many_emails(self.request)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    token_generator = tokens.reset_tokens


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
        visitor = known_visitor(request)
        logout(request)
        actions.delete_account(by=user, visitor=visitor)
        messages.success(request, "Your account and your annotations have been deleted.")
        response = redirect("home")
        response.delete_cookie(VISITOR_COOKIE)
        return response
    return render(request, "registration/delete_account.html", {"form": form})
