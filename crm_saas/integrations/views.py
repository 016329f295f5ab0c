"""Admin pages: API keys (create, shown once; revoke) and webhooks (subscriptions, deliveries)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from crm_saas.errors import DomainError
from crm_saas.integrations import selectors
from crm_saas.integrations.forms import ApiKeyForm, WebhookForm
from crm_saas.integrations.models import DeliveryStatus
from crm_saas.integrations.services import api_keys, webhooks
from crm_saas.integrations.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER
from crm_saas.roles import Capability
from crm_saas.web import capability_required, form_add_domain_error

NEW_KEY_SESSION = "integrations:new_api_key"


@capability_required(Capability.SETTINGS_MANAGE)
def api_key_list(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = api_keys.api_key_create(actor=request.user, request=request, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            # Redirected so a reload cannot create a second key; the key rides in the session
            # until the next page shows it, once.
            request.session[NEW_KEY_SESSION] = {"id": issued.api_key.pk, "key": issued.key}
            return redirect("integrations:api_keys")
    issued = request.session.pop(NEW_KEY_SESSION, None) if request.method == "GET" else None
    new_key = None
    if issued:
        new_key = {"key": issued["key"], "api_key": selectors.api_key_get(api_key_id=issued["id"])}
    return render(
        request,
        "integrations/api_keys.html",
        {"form": form, "issued": new_key, "keys": selectors.api_key_list()[:200]},
    )


@require_POST
@capability_required(Capability.SETTINGS_MANAGE)
def api_key_revoke(request: HttpRequest, api_key_id: int) -> HttpResponse:
    api_key = selectors.api_key_get(api_key_id=api_key_id)
    api_keys.api_key_revoke(api_key=api_key, actor=request.user, request=request)
    messages.success(request, f"Revoked {api_key.name}. Clients using it are refused from now on.")
    return redirect("integrations:api_keys")


@capability_required(Capability.SETTINGS_MANAGE)
def webhook_list(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = webhooks.subscription_create(actor=request.user, request=request, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, "Subscription created. Configure its signing secret in your receiver.")
            return redirect("integrations:webhook", subscription_id=subscription.pk)
    return render(
        request,
        "integrations/webhooks.html",
        {"form": form, "subscriptions": selectors.subscription_list()},
    )


@capability_required(Capability.SETTINGS_MANAGE)
def webhook_detail(request: HttpRequest, subscription_id: str) -> HttpResponse:
    subscription = selectors.subscription_get(subscription_id=subscription_id)
    form = WebhookForm(
        request.POST if request.POST.get("action") == "edit" else None,
        initial={"url": subscription.url, "events": subscription.events, "description": subscription.description},
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "edit" and form.is_valid():
                webhooks.subscription_update(
                    subscription=subscription, actor=request.user, data=form.cleaned_data, request=request
                )
                messages.success(request, "Subscription saved.")
            elif action in {"enable", "disable"}:
                webhooks.subscription_update(
                    subscription=subscription,
                    actor=request.user,
                    data={"is_active": action == "enable"},
                    request=request,
                )
                messages.success(
                    request, "Subscription switched on." if action == "enable" else "Subscription switched off."
                )
            elif action == "rotate":
                webhooks.subscription_update(
                    subscription=subscription, actor=request.user, data={"rotate_secret": True}, request=request
                )
                messages.success(request, "New signing secret issued; update your receiver.")
            elif action == "ping":
                webhooks.subscription_ping(subscription=subscription, actor=request.user)
                messages.success(request, "Test event queued; it appears in the deliveries below.")
            elif action == "delete":
                webhooks.subscription_delete(subscription=subscription, actor=request.user, request=request)
                messages.success(request, "Subscription deleted.")
                return redirect("integrations:webhooks")
            if action != "edit" or form.is_valid():
                return redirect("integrations:webhook", subscription_id=subscription.pk)
        except DomainError as error:
            if action == "edit":
                form_add_domain_error(form, error)
            else:
                messages.error(request, error.message)
                return redirect("integrations:webhook", subscription_id=subscription.pk)
    status = request.GET.get("status", "")
    deliveries = selectors.delivery_list(subscription=subscription, status=status or None)
    page = Paginator(deliveries, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/webhook_detail.html",
        {
            "subscription": subscription,
            "form": form,
            "page": page,
            "status": status,
            "statuses": DeliveryStatus.choices,
            "signature_header": SIGNATURE_HEADER,
            "timestamp_header": TIMESTAMP_HEADER,
        },
    )


@capability_required(Capability.SETTINGS_MANAGE)
def delivery_detail(request: HttpRequest, delivery_id: str) -> HttpResponse:
    delivery = selectors.delivery_get(delivery_id=delivery_id)
    payload = json.dumps(delivery.payload, indent=2, sort_keys=True)
    return render(request, "integrations/delivery_detail.html", {"delivery": delivery, "payload": payload})


@require_POST
@capability_required(Capability.SETTINGS_MANAGE)
def delivery_redeliver(request: HttpRequest, delivery_id: str) -> HttpResponse:
    delivery = selectors.delivery_get(delivery_id=delivery_id)
    try:
        webhooks.delivery_redeliver(delivery=delivery, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{delivery.event} queued for redelivery.")
    return redirect("integrations:webhook", subscription_id=delivery.subscription_id)
