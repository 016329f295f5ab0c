"""Voice API routes: voice logs (upload, playback, settings) and spoken or typed commands."""

from voice.api import command_urls, log_urls

urlpatterns = [*log_urls.urlpatterns, *command_urls.urlpatterns]
