from django.contrib import admin

from aftersales.catalog.models import Product, Unit


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["model", "name", "name_en", "category", "warranty_months", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["model", "name", "name_en"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = [
        "serial_number",
        "product",
        "customer",
        "batch_number",
        "purchase_date",
        "warranty_end",
    ]
    list_filter = ["product", "purchase_channel"]
    search_fields = ["serial_number", "batch_number", "customer__name"]
    autocomplete_fields = ["customer", "product"]
