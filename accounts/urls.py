from django.contrib.auth import views as auth_views
from django.urls import path

from . import oidc, views

app_name = "accounts"

urlpatterns = [
    path("register/", views.RegisterView.as_view(), name="register"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.CodeLoginView.as_view(), name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sms-code/", views.sms_code, name="sms_code"),
    path("password/forgot/", views.PasswordForgotView.as_view(), name="password_forgot"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("phone/change/", views.PhoneChangeView.as_view(), name="phone_change"),
    path("delete/", views.AccountDeleteView.as_view(), name="account_delete"),
    path("sso/start/", oidc.Start.as_view(), name="sso_start"),
    path("sso/callback/", oidc.Callback.as_view(), name="sso_callback"),
    path("sso/phone/", views.BindPhoneView.as_view(), name="sso_phone"),
    path("sso/", views.external_account, name="external_account"),
]
