"""Voice pages: notes (record, upload, listen, read) and the command bar's endpoints."""

from voice import command_pages, log_pages

app_name = "voice"
urlpatterns = [*log_pages.urlpatterns, *command_pages.urlpatterns]
