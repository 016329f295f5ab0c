from django.urls import path

from tenants.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("users/", views.users, name="users"),
    path("users/import/", views.users_import, name="users_import"),
    path("users/<int:user_id>/", views.user_edit, name="user_edit"),
    path("users/<int:user_id>/active/", views.user_set_active, name="user_set_active"),
    path("password/<uidb64>/<token>/", views.password_set, name="password_set"),
]
