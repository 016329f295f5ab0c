from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.views.decorators.http import require_POST

from crm_saas.audit.models import AuditAction
from crm_saas.audit.services import audit_record
from crm_saas.errors import DomainError
from crm_saas.roles import Capability, Role
from crm_saas.web import capability_required, form_add_domain_error
from tenants.accounts import selectors, services
from tenants.accounts.forms import PasswordSetForm, SignInForm, UserEditForm, UserImportForm, UserInviteForm
from tenants.accounts.imports import user_import_start
from tenants.accounts.models import User


def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.auth_sign_in(
                email=form.cleaned_data["email"], password=form.cleaned_data["password"], request=request
            )
        except DomainError as error:
            form_add_domain_error(form, error)
            status = 429 if error.status_code == 429 else 200
        else:
            login(request, user)
            default = "platform:tenants" if user.is_platform_operator else "dashboard"
            return redirect(next_url or default)
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(action=AuditAction.LOGOUT, request=request)
    logout(request)
    return redirect("accounts:login")


@capability_required(Capability.USERS_MANAGE)
def users(request: HttpRequest) -> HttpResponse:
    invite_form = UserInviteForm(request.POST if request.POST.get("action") == "invite" else None)
    import_form = UserImportForm()
    if invite_form.is_bound and invite_form.is_valid():
        values = invite_form.cleaned_data
        try:
            if values["password"]:
                user = services.user_create(actor=request.user, request=request, **values)
                messages.success(request, f"{user.email} can now sign in.")
            else:
                values.pop("password")
                user = services.user_invite(
                    actor=request.user, request=request, base_url=request.build_absolute_uri("/"), **values
                )
                messages.success(request, f"Invitation sent to {user.email}.")
            return redirect("accounts:users")
        except DomainError as error:
            form_add_domain_error(invite_form, error)
    context = {
        "users": selectors.user_list(search=request.GET.get("q", "")[:100]),
        "invite_form": invite_form,
        "import_form": import_form,
        "import_job_id": request.GET.get("job", ""),
        "roles": Role.choices,
        "query": request.GET.get("q", ""),
    }
    return render(request, "accounts/users.html", context)


@capability_required(Capability.USERS_MANAGE)
@require_POST
def users_import(request: HttpRequest) -> HttpResponse:
    form = UserImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            job = user_import_start(
                upload=form.cleaned_data["file"], actor=request.user, base_url=request.build_absolute_uri("/")
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.info(request, "Import started. Progress is shown below.")
            return redirect(f"{reverse('accounts:users')}?job={job.id}")
    else:
        messages.error(request, "Choose a CSV file to import.")
    return redirect("accounts:users")


@capability_required(Capability.USERS_MANAGE)
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    user = selectors.user_get(user_id=user_id)
    form = UserEditForm(request.POST or None, initial={"full_name": user.full_name, "role": user.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(user=user, actor=request.user, request=request, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"Saved changes to {user.email}.")
            return redirect("accounts:users")
    return render(request, "accounts/user_edit.html", {"subject": user, "form": form})


@capability_required(Capability.USERS_MANAGE)
@require_POST
def user_set_active(request: HttpRequest, user_id: int) -> HttpResponse:
    user = selectors.user_get(user_id=user_id)
    activate = request.POST.get("active") == "1"
    try:
        if activate:
            services.user_reactivate(user=user, actor=request.user, request=request)
            messages.success(request, f"{user.email} is active again.")
        else:
            services.user_deactivate(user=user, actor=request.user, request=request)
            messages.success(request, f"{user.email} was deactivated; their records are kept.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("accounts:users")


def password_set(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Choose a password from an invitation link (one use: the token changes with the password)."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not user.is_active or not default_token_generator.check_token(user, token):
        return render(request, "accounts/password_set.html", {"invalid_link": True}, status=400)
    form = PasswordSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(user=user, password=form.cleaned_data["password"], request=request)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, "Password saved. Sign in with it now.")
            return redirect("accounts:login")
    return render(request, "accounts/password_set.html", {"form": form, "subject": user})
