from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation

from medref.accounts.models import Profession, Profile


class SignUpForm(forms.Form):
    email = forms.EmailField(max_length=200)
    password = forms.CharField(
        widget=forms.PasswordInput,
        strip=False,
        help_text=password_validation.password_validators_help_text_html(),
    )
    profession = forms.ChoiceField(choices=Profession.choices)
    registration_number = forms.CharField(
        max_length=40,
        required=False,
        label="Professional registration number (optional)",
        help_text="For example your GMC, GPhC, NMC or NPI number. We store it but do not check it yet.",
    )

    def clean_email(self) -> str:
        # Whether the address already has an account is not said here: sign-up answers the same
        # either way and emails the owner instead (medref.accounts.actions.sign_up).
        return self.cleaned_data["email"].lower()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("email"):
            user = get_user_model()(username=cleaned["email"], email=cleaned["email"])
            try:
                password_validation.validate_password(cleaned["password"], user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["profession", "registration_number"]


class DeleteAccountForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput, label="Your password, to confirm")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError("That password is not right.")
        return self.cleaned_data["password"]
