from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    # Larger pages are clamped, not refused: a client asking for a million gets 200.
    max_page_size = 200
