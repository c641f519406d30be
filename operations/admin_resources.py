"""The CSV import and export of reference data in the admin (django-import-export): each row is
saved, validated and audited by the reference-data service, like an edit in the admin or the API."""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget, ManyToManyWidget

from . import services
from .models import Area, OffenceGroup, Operation, OutcomeType, Resource, TacticalPriority


class AuditedResource(resources.ModelResource):
    """Rows imported from CSV are saved, validated and audited by the reference-data service.

    Cells are read without the spaces around them (so "BE " finds the NPU BE rather than making a
    second one), and a file naming the same row twice is refused whole: which of the two was meant
    cannot be told, and the last would silently win."""

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if dataset.headers:
            dataset.headers = [str(header or "").strip() for header in dataset.headers]
        for index, row in enumerate(dataset):
            dataset[index] = tuple(cell.strip() if isinstance(cell, str) else cell for cell in row)
        columns = [self.fields[name].column_name for name in self.get_import_id_fields()]
        if not columns or not set(columns) <= set(dataset.headers or ()):
            return  # no key to compare: the missing column is reported as such
        lines = {}  # the key, whatever its case → (the key as first written, its lines)
        for line, key in enumerate(zip(*(dataset[column] for column in columns), strict=True), start=1):
            text = " ".join(str(part) for part in key)
            lines.setdefault(text.casefold(), (text, []))[1].append(line)
        repeated = [(text, found) for text, found in lines.values() if len(found) > 1]
        if repeated:
            named = "; ".join(f"{text} on lines {', '.join(map(str, found))}" for text, found in repeated)
            raise ValueError(
                f"The file names the same {' and '.join(columns)} more than once ({named}): "
                "each row must name a different one. Nothing was imported."
            )

    def save_instance(self, instance, is_create, row, **kwargs):
        self.before_save_instance(instance, row, **kwargs)
        if self._is_using_transactions(kwargs) or not self._is_dry_run(kwargs):
            services.reference_save(actor=kwargs.get("user"), instance=instance, reason="CSV import")
        self.after_save_instance(instance, row, **kwargs)


def _fk(attribute, model, field="code"):
    return fields.Field(attribute=attribute, column_name=attribute, widget=ForeignKeyWidget(model, field))


def _m2m(attribute, model, field="code"):
    return fields.Field(
        attribute=attribute, column_name=attribute, widget=ManyToManyWidget(model, "|", field)
    )


class AreaResource(AuditedResource):
    parent = _fk("parent", Area)

    class Meta:
        model = Area
        skip_unchanged = True
        import_id_fields = ["code"]
        fields = ["code", "name", "kind", "parent", "population", "population_year",
                  "population_source", "active_from", "active_to"]  # fmt: skip


class OffenceGroupResource(AuditedResource):
    parent = _fk("parent", OffenceGroup)

    class Meta:
        model = OffenceGroup
        skip_unchanged = True
        import_id_fields = ["code"]
        fields = ["code", "name", "parent", "police_uk_crime_type", "is_crime", "severity_weight",
                  "severity_source", "harm_weight", "harm_source"]  # fmt: skip


class OperationResource(AuditedResource):
    focus_offence_groups = _m2m("focus_offence_groups", OffenceGroup)
    areas = _m2m("areas", Area)

    class Meta:
        model = Operation
        skip_unchanged = True
        import_id_fields = ["code"]
        fields = ["code", "name", "kind", "lead_rank", "lead_name", "objectives",
                  "focus_offence_groups", "areas", "start_date", "end_date", "status",
                  "patrol_arrival_rule", "patrol_arrival_hours", "effective_dose_minutes",
                  "source"]  # fmt: skip


class TacticalPriorityResource(AuditedResource):
    offence_groups = _m2m("offence_groups", OffenceGroup)
    areas = _m2m("areas", Area)

    class Meta:
        model = TacticalPriority
        skip_unchanged = True
        fields = ["id", "title", "offence_groups", "areas", "effective_from", "effective_to",
                  "ftdb_date", "source"]  # fmt: skip


class ResourceResource(AuditedResource):
    home_area = _fk("home_area", Area)

    class Meta:
        model = Resource
        skip_unchanged = True
        import_id_fields = ["code"]
        fields = ["code", "name", "kind", "home_area", "capacity_per_period", "active"]


class OutcomeTypeResource(AuditedResource):
    class Meta:
        model = OutcomeType
        skip_unchanged = True
        import_id_fields = ["code"]
        fields = ["code", "label", "group", "is_positive"]
