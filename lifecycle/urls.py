from django.urls import path

from lifecycle import views

app_name = "lifecycle"

urlpatterns = [
    path("", views.customer_list, name="customers"),
    path("<int:customer_id>/", views.customer_detail, name="customer"),
    path("<int:customer_id>/events/new/", views.event_add, name="event_add"),
    path("<int:customer_id>/timeline/", views.customer_timeline, name="timeline"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("stage-rules/", views.stage_rules_page, name="stage_rules"),
]
