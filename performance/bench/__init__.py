"""The benchmark behind ``manage.py bench``: dataset generation (dataset.py, with the places in
dataset_places.py and the COPY plumbing in copy_sink.py), servers (servers.py), load generation
(load.py), the measures (measures.py) and the report (report.py). Nothing here is imported by the
application; ``settings.py``/``urls.py``/``bare.py`` are only loaded by the benchmark's own
gunicorn."""
