from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff may look; money moves only through the services, which keep the rules."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
