"""URLs of the accounts app (sign-in and sign-out are in site/urls.py)."""

from django.urls import path

from parindex.accounts import signin_views, views

app_name = "accounts"

urlpatterns = [
    path("", signin_views.account, name="account"),
    path("password/", views.PasswordChange.as_view(), name="password_change"),
    path("sign-out-everywhere/", signin_views.sign_out_everywhere, name="sign_out_everywhere"),
    path("two-factor/", signin_views.second_factor, name="second_factor"),
    path("two-factor/enrol/", signin_views.two_factor_enrol, name="two_factor_enrol"),
    path("recovery-codes/", signin_views.recovery_codes_renew, name="recovery_codes_renew"),
    path("activate/<str:token>/", views.activate, name="activate"),
    path("unit-accounts/<slug:authority_code>/", views.unit_accounts, name="unit_accounts"),
]
