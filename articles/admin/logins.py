"""Login throttling's records (django-axes): its own screens, with one action mended."""

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.contrib import admin


class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    def cleanup_expired_attempts(self, request, queryset):
        # Axes' action reads the time of "this attempt" from the request, which only its
        # login path sets: without it the action fails (an AttributeError, a 500).
        AxesProxyHandler.update_request(request)
        return super().cleanup_expired_attempts(request, queryset)

    cleanup_expired_attempts.short_description = (
        AxesAccessAttemptAdmin.cleanup_expired_attempts.short_description
    )


admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AccessAttemptAdmin)
