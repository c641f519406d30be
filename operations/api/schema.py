"""OpenAPI post-processing: make the document say exactly what the API sends and accepts."""

# JSON Schema's "time" format is RFC 3339's full-time, which requires a UTC offset ("18:00:00Z").
# The API's times of day (patrol windows) are wall-clock times in Europe/London with no offset, as
# DRF's TimeField reads and writes them, so the document describes them by pattern instead.
LOCAL_TIME = {"pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$", "example": "18:00:00"}


def _local_times(node):
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "time":
            del node["format"]
            node.update(LOCAL_TIME)
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)


def postprocess_local_times(result, generator, request, public):
    _local_times(result)
    return result
