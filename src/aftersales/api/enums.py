"""Value lists that several API fields share, named once in the OpenAPI document."""

from aftersales.service_requests.models import Category

CATEGORY_VALUES = list(Category.values)
