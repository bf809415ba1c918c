from django.contrib import admin

from aftersales.customers.models import Contact, Customer


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisation", "phone", "email", "region"]
    list_filter = ["kind", "region", "notice_channel", "notices_optional"]
    search_fields = ["name", "organisation", "phone", "email"]
    inlines = [ContactInline]
