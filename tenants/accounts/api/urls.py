from django.urls import path

from tenants.accounts.api import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("users/", views.UserListView.as_view(), name="user-list"),
    path("users/import/", views.UserImportView.as_view(), name="user-import"),
    path("users/<int:user_id>/", views.UserDetailView.as_view(), name="user-detail"),
]
