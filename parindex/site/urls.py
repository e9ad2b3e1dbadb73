"""URL map of the site. Each app adds one ``include()`` line here."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from parindex.accounts import signin_views
from parindex.site import api, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("api/", api.api.urls),
    path("admin/", admin.site.urls),
    path("accounts/login/", signin_views.sign_in, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("parindex.accounts.urls")),
    path("units/", include("parindex.units.urls")),
    path("criteria/", include("parindex.criteria.urls")),
    path("cycles/", include("parindex.assessments.urls")),
    path("cycles/", include("parindex.assessments.appraisal_urls")),
    path("plans/", include("parindex.plans.urls")),
    path("dossiers/", include("parindex.dossiers.urls")),
    path("", include("parindex.survey.urls")),
    path("consequences/", include("parindex.consequences.urls")),
    path("indices/", include("parindex.indices.urls")),
    path("", include("parindex.results.urls")),
]
