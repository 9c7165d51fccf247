from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from medref.reference.search import MAX_QUERY, MAX_WORDS, search, search_words
from medref.reference.views import open_topics


def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    too_long = len(query) > MAX_QUERY
    too_many_words = len(search_words(query[:MAX_QUERY], limit=None)) > MAX_WORDS
    hits = search(query, open_topics=open_topics(request)) if query.strip() else []
    return render(
        request,
        "medref/search.html",
        {
            "query": query[:MAX_QUERY],
            "hits": hits,
            "too_long": too_long,
            "too_many_words": too_many_words,
            "max_words": MAX_WORDS,
        },
    )
