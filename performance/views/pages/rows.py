"""Drill-down: the rows that make a number, filtered by the API's FilterSet, 50 to a page or as CSV."""

from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse

from ...drilldown import SOURCES, active_filters, csv_response, filter_errors, rows_for
from .base import DashboardPage

PAGE_SIZE = 50


class RowsView(DashboardPage):
    template_name = "performance/pages/rows.html"
    section = "rows"

    def get(self, request, *args, **kwargs):
        self.source = SOURCES.get(kwargs["source"])
        if self.source is None:
            raise Http404(f"No rows called {kwargs['source']!r}: use one of {', '.join(SOURCES)}.")
        self.filterset, self.rows = rows_for(self.source, request.GET)
        if request.GET.get("format") == "csv":
            return csv_response(self.source, self.rows)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(self.rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        columns = self.source.columns
        table = []
        for row in page.object_list:
            cells = []
            for column in columns:
                link = column.link(row) if column.link else None
                cells.append(
                    {
                        "text": column.value(row),
                        "url": reverse(link[0], args=[link[1]]) if link and link[1] else None,
                        "numeric": column.numeric,
                    }
                )
            table.append(cells)
        query = self.request.GET.copy()
        query.pop("page", None)
        query["format"] = "csv"
        context.update(
            source=self.source, sources=SOURCES, filter=self.filterset, page_obj=page, columns=columns,
            table=table, described=active_filters(self.filterset), errors=filter_errors(self.filterset),
            csv_query=query.urlencode(),
        )  # fmt: skip
        return context
