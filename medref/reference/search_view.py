from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from medref.reference.search import MAX_QUERY, search


def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    too_long = len(query) > MAX_QUERY
    hits = search(query) if query.strip() else []
    return render(
        request,
        "medref/search.html",
        {"query": query[:MAX_QUERY], "hits": hits, "too_long": too_long},
    )
